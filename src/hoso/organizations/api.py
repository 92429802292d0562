"""Organizations API."""

from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.organizations import restructuring, services
from hoso.organizations.choices import DocumentStyle, Kind, Level
from hoso.organizations.filtersets import OrganizationFilterIn, filter_organizations
from hoso.organizations.models import Organization

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    parent: int | None = Field(None, alias="parent_id")
    level: Level
    kind: Kind
    code: str
    name: str
    abbreviation: str
    valid_from: date | None
    valid_to: date | None
    successor: int | None = Field(None, alias="successor_id")
    document_style: DocumentStyle
    path: str
    depth: int


class OrganizationIn(Schema):
    parent: int | None = None
    level: Level
    kind: Kind
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=255)
    abbreviation: str = Field("", max_length=32)
    valid_from: date | None = None
    valid_to: date | None = None
    successor: int | None = None
    document_style: DocumentStyle = DocumentStyle.PARTY


class OrganizationPatch(Schema):
    parent: int | None = None
    level: Level | None = None
    kind: Kind | None = None
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=255)
    abbreviation: str | None = Field(None, max_length=32)
    valid_from: date | None = None
    valid_to: date | None = None
    successor: int | None = None
    document_style: DocumentStyle | None = None


def _resolve_references(request, data: dict) -> dict:
    """Turn parent/successor ids into organizations the caller may see (404
    otherwise, so ids outside the scope reveal nothing)."""
    visible = Organization.objects.restrict(request.user, "view")
    for name in ("parent", "successor"):
        if data.get(name) is not None:
            data[name] = get_object_or_404(visible, pk=data[name])
    return data


@router.get("/organizations", response=list[OrganizationOut])
@paginate(PageNumberPagination)
def list_organizations(request, filters: Query[OrganizationFilterIn]):
    """Organizations in scope; filter by parent, level, kind and text."""
    qs = Organization.objects.restrict(request.user, "view")
    return filter_organizations(qs, filters.model_dump(exclude_none=True))


@router.get("/organizations/{int:organization_id}", response=OrganizationOut)
def get_organization(request, organization_id: int):
    """One organization (404 outside the caller's scope)."""
    return get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=organization_id
    )


@router.post("/organizations", response={201: OrganizationOut})
def create_organization(request, payload: OrganizationIn):
    """Create an organization under a parent where the caller may add."""
    data = _resolve_references(request, payload.model_dump())
    return Status(201, services.create_organization(acting_user=request.user, **data))


@router.patch("/organizations/{int:organization_id}", response=OrganizationOut)
def update_organization(request, organization_id: int, payload: OrganizationPatch):
    """Change an organization; a new parent moves its subtree."""
    organization = get_object_or_404(
        Organization.objects.restrict(request.user, "change"), pk=organization_id
    )
    data = _resolve_references(request, payload.model_dump(exclude_unset=True))
    return services.update_organization(organization, acting_user=request.user, **data)


# Restructuring -----------------------------------------------------------------


class MergeIn(Schema):
    """Merge the organization of the path into `target`."""

    target: int
    effective_date: date | None = None


class DissolveIn(Schema):
    """Dissolve the organization of the path; `successor` takes its records."""

    successor: int
    effective_date: date | None = None


class HandoverCountsOut(Schema):
    children: int
    members: int
    transfers: int
    documents: int
    tasks: int
    case_files: int
    positions: int


class HandoverOut(HandoverCountsOut):
    source: int
    target: int


class EndedPositionOut(Schema):
    id: int
    person: str
    role: str
    organization: int
    end_date: date | None


class RestructuringOut(Schema):
    action: Literal["merge", "dissolve", "split"]
    preview: bool
    target: int
    effective_date: date
    totals: HandoverCountsOut
    handovers: list[HandoverOut]
    ended_positions: list[EndedPositionOut]


def _restructuring_out(result: restructuring.RestructuringResult) -> dict:
    return {
        "action": result.action,
        "preview": result.preview,
        "target": result.target.pk,
        "effective_date": result.effective_date,
        "totals": result.totals(),
        "handovers": [
            {
                "source": handover.source.pk,
                "target": handover.target.pk,
                **handover.counts(),
            }
            for handover in result.handovers
        ],
        "ended_positions": [
            {
                "id": position.pk,
                "person": str(position.person),
                "role": str(position.role),
                "organization": position.organization_id,
                # A preview lists the positions that would end, on that day.
                "end_date": position.end_date
                if not result.preview
                else result.effective_date,
            }
            for position in result.ended_positions
        ],
    }


def _changeable(request, organization_id: int) -> Organization:
    return get_object_or_404(
        Organization.objects.restrict(request.user, "change"), pk=organization_id
    )


@router.get(
    "/organizations/{int:organization_id}/merge-preview",
    response=RestructuringOut,
)
def merge_preview(
    request,
    organization_id: int,
    target: int,
    effective_date: date | None = None,
    action: Literal["merge", "dissolve"] = "merge",
):
    """What merging (or dissolving) this organization into `target` would hand
    over; nothing is written."""
    source = _changeable(request, organization_id)
    result = restructuring.preview_merge(
        [source],
        _changeable(request, target),
        acting_user=request.user,
        effective_date=effective_date,
        action=action,
    )
    return _restructuring_out(result)


@router.post("/organizations/{int:organization_id}/merge", response=RestructuringOut)
def merge_organization(request, organization_id: int, payload: MergeIn):
    """Merge this organization into `target`: its records are handed over and
    it ends, kept in the tree under its successor."""
    result = restructuring.merge_organizations(
        [_changeable(request, organization_id)],
        _changeable(request, payload.target),
        acting_user=request.user,
        effective_date=payload.effective_date,
    )
    return _restructuring_out(result)


@router.post("/organizations/{int:organization_id}/dissolve", response=RestructuringOut)
def dissolve_organization(request, organization_id: int, payload: DissolveIn):
    """Dissolve this organization; `successor` receives its records."""
    result = restructuring.dissolve_organization(
        _changeable(request, organization_id),
        _changeable(request, payload.successor),
        acting_user=request.user,
        effective_date=payload.effective_date,
    )
    return _restructuring_out(result)


class SplitPartIn(Schema):
    """One new organization of a split and what it takes from the source."""

    name: str = Field(min_length=1, max_length=255)
    code: str = Field(min_length=1, max_length=32)
    abbreviation: str = Field("", max_length=32)
    children: list[int] = []
    members: list[int] = []


class SplitIn(Schema):
    """The parts, the first of which succeeds the source."""

    parts: list[SplitPartIn]
    effective_date: date | None = None


@router.post("/organizations/{int:organization_id}/split", response=RestructuringOut)
def split_organization(request, organization_id: int, payload: SplitIn):
    """Split this organization into new ones created next to it; the first
    takes whatever no part names, and the open records."""
    from hoso.members.models import Member

    source = _changeable(request, organization_id)
    visible_organizations = Organization.objects.restrict(request.user, "view")
    visible_members = Member.objects.restrict(request.user, "view")
    parts = []
    for part in payload.parts:
        data = part.model_dump()
        if not data["abbreviation"]:
            del data["abbreviation"]  # the source's, as the service defaults
        data["children"] = [
            get_object_or_404(visible_organizations, pk=pk) for pk in data["children"]
        ]
        data["members"] = [
            get_object_or_404(visible_members, pk=pk) for pk in data["members"]
        ]
        parts.append(data)
    result = restructuring.split_organization(
        source, parts, acting_user=request.user, effective_date=payload.effective_date
    )
    return _restructuring_out(result)

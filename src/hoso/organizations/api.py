"""Organizations API."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.organizations import services
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

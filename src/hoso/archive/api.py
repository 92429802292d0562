"""Archive API: duplicates and decisions, the completeness report, and
handover packages (export as a zipped bag, import from one)."""

from datetime import datetime

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.archive import completeness, handover, services, tasks
from hoso.archive.choices import Decision, DuplicateKind, PackageDirection
from hoso.archive.models import DuplicateFlag, HandoverPackage
from hoso.core import permissions
from hoso.documents.models import Document
from hoso.organizations.models import Organization

router = Router(tags=["archive"])


def _organization(request, organization_id: int) -> Organization:
    return get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=organization_id
    )


# Duplicates -------------------------------------------------------------------


class DocumentRefOut(Schema):
    id: int
    symbol: str
    excerpt: str
    arrival_number: int | None
    register_year: int
    created: datetime


class DuplicateFlagOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    document: DocumentRefOut
    other: DocumentRefOut
    kind: DuplicateKind
    similarity: float
    decision: Decision
    decided_by: str | None = Field(None, alias="decided_by.username")
    decided_at: datetime | None
    note: str
    created: datetime


class DuplicateFilter(Schema):
    organization: int | None = None
    decision: Decision | None = Decision.PENDING
    kind: DuplicateKind | None = None


class DecisionIn(Schema):
    decision: Decision
    note: str = Field("", max_length=2000)


class ScanIn(Schema):
    organization: int


class ScanOut(Schema):
    task_id: str
    status: str


class CheckIn(Schema):
    organization: int
    sha256: str | None = Field(None, pattern=r"^[0-9a-fA-F]{64}$")
    text: str | None = Field(None, max_length=2_000_000)
    threshold: float = Field(services.DEFAULT_THRESHOLD, ge=0.1, le=1.0)


class MatchOut(Schema):
    document: DocumentRefOut
    kind: DuplicateKind
    similarity: float


@router.get("/archive/duplicates", response=list[DuplicateFlagOut])
@paginate(PageNumberPagination)
def list_duplicates(request, filters: Query[DuplicateFilter]):
    """Duplicate flags in the caller's scope and clearance (pending ones by
    default), newest first."""
    flags = DuplicateFlag.objects.restrict(request.user, "view").select_related(
        "document", "other", "decided_by"
    )
    if filters.organization is not None:
        flags = flags.filter(organization_id=filters.organization)
    if filters.decision is not None:
        flags = flags.filter(decision=filters.decision)
    if filters.kind is not None:
        flags = flags.filter(kind=filters.kind)
    return flags


@router.post("/archive/duplicates/{int:flag_id}/decide", response=DuplicateFlagOut)
def decide(request, flag_id: int, payload: DecisionIn):
    """Keep both, merge the newer into the older, or ignore (audited)."""
    flag = get_object_or_404(
        DuplicateFlag.objects.restrict(request.user, "view"), pk=flag_id
    )
    services.decide(flag, payload.decision, request.user, note=payload.note)
    return DuplicateFlag.objects.select_related("document", "other", "decided_by").get(
        pk=flag_id
    )


@router.post("/archive/duplicates/scan", response={202: ScanOut})
def scan(request, payload: ScanIn):
    """Queue a scan of an organization's archive (fingerprints and flags)."""
    organization = _organization(request, payload.organization)
    if not permissions.has_permission(
        request.user, "archive.change_duplicateflag", organization
    ):
        raise Http404
    result = tasks.scan_organization.enqueue(organization.pk, request.user.pk)
    return Status(202, {"task_id": str(result.id), "status": str(result.status)})


@router.post("/archive/duplicates/check", response=list[MatchOut])
def check(request, payload: CheckIn):
    """The intake question without writing anything: which documents of the
    organization (that the caller may see) duplicate this file hash or text?"""
    organization = _organization(request, payload.organization)
    if not permissions.has_permission(
        request.user, "archive.view_duplicateflag", organization
    ):
        raise Http404
    matches = services.find_duplicates(
        organization,
        sha256=(payload.sha256 or "").lower() or None,
        text=payload.text,
        threshold=payload.threshold,
        user=request.user,
    )
    return [
        {"document": m.document, "kind": m.kind, "similarity": m.similarity}
        for m in matches
    ]


# Completeness -----------------------------------------------------------------


class YearRowOut(Schema):
    year: int | None
    doc_type: str
    incoming: int
    outgoing: int
    internal: int
    total: int


class RegisterGapsOut(Schema):
    scope: str
    label: str
    numbers: int
    highest: int
    last_taken: int
    missing: int
    ranges: list[tuple[int, int]]
    text: str


class CompletenessOut(Schema):
    organization: int
    organization_name: str
    documents: int
    with_files: int
    without_files: int
    pages: int
    without_page_count: int
    awaiting_review: int
    awaiting_review_available: bool
    awaiting_review_note: str
    per_year_and_type: list[YearRowOut]
    registers: list[RegisterGapsOut]
    gaps_truncated: bool

    @classmethod
    def from_report(cls, report: completeness.CompletenessReport) -> "CompletenessOut":
        return cls(
            organization=report.organization.pk,
            organization_name=report.organization.name,
            documents=report.documents,
            with_files=report.with_files,
            without_files=report.without_files,
            pages=report.pages,
            without_page_count=report.without_page_count,
            awaiting_review=report.awaiting_review,
            awaiting_review_available=report.awaiting_review_available,
            awaiting_review_note=report.awaiting_review_note,
            per_year_and_type=[
                YearRowOut(
                    year=row.year,
                    doc_type=row.doc_type,
                    incoming=row.incoming,
                    outgoing=row.outgoing,
                    internal=row.internal,
                    total=row.total,
                )
                for row in report.rows
            ],
            registers=[
                RegisterGapsOut(
                    scope=item.scope,
                    label=item.label,
                    numbers=item.numbers,
                    highest=item.highest,
                    last_taken=item.last_taken,
                    missing=item.missing,
                    ranges=item.ranges,
                    text=item.text,
                )
                for item in report.registers
            ],
            gaps_truncated=report.gaps_truncated,
        )


@router.get("/archive/completeness", response=CompletenessOut)
def get_completeness(request, organization: int):
    """Documents per year and type, pages digitized, records awaiting review
    and the gaps of every register's numbering, for one organization."""
    org = _organization(request, organization)
    if not completeness.may_view(request.user, org):
        raise Http404
    return CompletenessOut.from_report(
        completeness.completeness_report(org, user=request.user)
    )


# Handover packages ------------------------------------------------------------


class PackageOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    direction: PackageDirection
    external_identifier: str
    source_organization: str
    payload_oxum: str
    bag_info: dict
    skipped: list[dict]
    documents: list[int]
    created_by: str = Field(alias="created_by.username")
    created: datetime

    @staticmethod
    def resolve_documents(obj):
        # From the prefetch: one query for the whole page, not one per row.
        return sorted(document.pk for document in obj.documents.all())


_DOCUMENT_IDS = Prefetch("documents", queryset=Document.objects.only("pk"))


class ExportIn(Schema):
    documents: list[int] = Field(min_length=1, max_length=10_000)


class ImportIn(Schema):
    organization: int


@router.get("/archive/packages", response=list[PackageOut])
@paginate(PageNumberPagination)
def list_packages(request, organization: int | None = None):
    """Handover packages exported or imported in the caller's scope."""
    packages = (
        HandoverPackage.objects.restrict(request.user, "view")
        .select_related("created_by")
        .prefetch_related(_DOCUMENT_IDS)
    )
    if organization is not None:
        packages = packages.filter(organization_id=organization)
    return packages


@router.get("/archive/packages/{int:package_id}", response=PackageOut)
def get_package(request, package_id: int):
    return get_object_or_404(
        HandoverPackage.objects.restrict(request.user, "view")
        .select_related("created_by")
        .prefetch_related(_DOCUMENT_IDS),
        pk=package_id,
    )


@router.post("/archive/packages/export")
def export_package(request, payload: ExportIn):
    """The chosen documents as a zipped BagIt bag (application/zip).
    Classified documents are left out; the package record lists them."""
    try:
        package, handle = handover.export_zip(
            payload.documents, acting_user=request.user
        )
    except Document.DoesNotExist:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=handover.bag_file_name(package),
        content_type="application/zip",
    )
    response["X-Hoso-Package"] = str(package.pk)
    return response


@router.post("/archive/packages/import", response={201: PackageOut})
def import_package(request, payload: Form[ImportIn], file: File[UploadedFile]):
    """Import a zipped bag into an organization: every checksum is verified
    first, and an altered package is refused naming the file (422)."""
    organization = _organization(request, payload.organization)
    created = handover.import_zip(
        file, organization=organization, acting_user=request.user
    )
    package = (
        HandoverPackage.objects.filter(documents=created[0])
        .select_related("created_by")
        .prefetch_related(_DOCUMENT_IDS)
        .latest("pk")
    )
    return Status(201, package)

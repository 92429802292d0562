"""Documents API: registers, workflow transitions, files."""

from datetime import date, datetime

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from hoso.accounts.models import Person
from hoso.core.api import ListPagination
from hoso.core.choices import Secrecy
from hoso.documents import casefiles, downloads, listing, services
from hoso.documents.choices import (
    AssignmentRole,
    Direction,
    Urgency,
)
from hoso.documents.choices import (
    Status as DocStatus,
)
from hoso.documents.filtersets import DocumentFilterIn, filter_documents
from hoso.documents.models import CaseFile, Document, DocumentType
from hoso.documents.policy import dispatch_targets
from hoso.organizations.models import Organization

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    direction: Direction
    status: DocStatus
    doc_type: int = Field(alias="doc_type_id")
    doc_type_code: str
    number: int | None
    symbol: str
    issuer_name: str
    issuer: int | None = Field(None, alias="issuer_id")
    place: str
    issued_date: date | None
    excerpt: str
    signer_name: str
    signer_position: str
    urgency: Urgency
    secrecy: Secrecy
    page_count: int | None
    recipients_text: str
    due_date: date | None
    language: str
    arrival_number: int | None
    arrival_date: datetime | None
    register_year: int
    created: datetime
    signature_status: str | None = None

    @staticmethod
    def resolve_doc_type_code(obj):
        return obj.doc_type.code


class AttachmentOut(Schema):
    id: int
    name: str
    is_main: bool
    signature_status: str
    signature_report: list[dict]
    size: int = Field(alias="stored_file.size")
    content_type: str = Field(alias="stored_file.content_type")
    sha256: str = Field(alias="stored_file.sha256")


class EventOut(Schema):
    at: datetime
    action: str
    status: DocStatus
    actor: str | None = Field(None, alias="actor.username")
    note: str


class RecipientOut(Schema):
    organization: int = Field(alias="organization_id")
    organization_name: str = Field(alias="organization.name")
    status: str
    status_label: str
    reason: str

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())


class DocumentDetailOut(DocumentOut):
    body: str
    attachments: list[AttachmentOut]
    events: list[EventOut]
    recipients: list[RecipientOut]

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.select_related("stored_file"))

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_recipients(obj):
        return list(obj.dispatches.select_related("organization"))


class IncomingIn(Schema):
    organization: int
    doc_type: int
    symbol: str = Field("", max_length=64)
    issuer_name: str = Field(min_length=1, max_length=255)
    place: str = Field("", max_length=100)
    issued_date: date | None = None
    excerpt: str = Field(min_length=1, max_length=1000)
    signer_name: str = Field("", max_length=150)
    signer_position: str = Field("", max_length=150)
    urgency: Urgency = Urgency.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    page_count: int | None = Field(None, ge=0)
    due_date: date | None = None
    present_to: int | None = None


class DraftIn(Schema):
    organization: int
    doc_type: int
    direction: Direction = Direction.OUTGOING
    excerpt: str = Field(min_length=1, max_length=1000)
    body: str = ""
    urgency: Urgency = Urgency.NORMAL
    secrecy: Secrecy = Secrecy.NONE
    due_date: date | None = None


class DraftPatch(Schema):
    excerpt: str | None = Field(None, min_length=1, max_length=1000)
    body: str | None = None
    urgency: Urgency | None = None
    secrecy: Secrecy | None = None
    due_date: date | None = None


class AssignmentIn(Schema):
    role: AssignmentRole
    person: int | None = None
    organization: int | None = None
    deadline: date | None = None
    note: str = ""


class InstructIn(Schema):
    assignments: list[AssignmentIn] = Field(min_length=1)
    deadline: date | None = None
    note: str = ""


class PresentIn(Schema):
    leader: int


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class NoteIn(Schema):
    note: str = ""
    reply: int | None = None


class OpinionsIn(Schema):
    people: list[int] = Field(min_length=1)


class OpinionIn(Schema):
    text: str = Field(min_length=1, max_length=5000)


class IssueIn(Schema):
    recipients: list[int] = []
    signer_name: str = Field("", max_length=150)
    signer_position: str = Field("", max_length=150)
    signer_authority: str = Field("", max_length=8)
    recipients_text: str = ""
    page_count: int | None = Field(None, ge=0)
    reservation: int | None = None


class ReserveIn(Schema):
    organization: int
    doc_type: int
    note: str = Field("", max_length=255)


class ReservedNumberOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    scope: str
    number: int
    note: str
    used_by: int | None = Field(None, alias="used_by_id")


class DocumentTypeOut(Schema):
    id: int
    system: str
    code: str
    name: str


def _document(request, document_id: int, action: str = "view") -> Document:
    return get_object_or_404(
        Document.objects.restrict(request.user, action).select_related("doc_type"),
        pk=document_id,
    )


def _organization(request, organization_id: int) -> Organization:
    return get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=organization_id
    )


def _person(request, person_id: int) -> Person:
    return get_object_or_404(
        Person.objects.restrict(request.user, "view"), pk=person_id
    )


def _doc_type(type_id: int) -> DocumentType:
    doc_type = DocumentType.objects.filter(pk=type_id, is_active=True).first()
    if doc_type is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"doc_type": _("Unknown document type.")})
    return doc_type


def _detail(request, document: Document) -> Document:
    document = _document(request, document.pk)
    downloads.audit_classified_read(document, request.user, "documents.viewed")
    return document


@router.get("/document-types", response=list[DocumentTypeOut])
def list_document_types(request):
    """The Party and state type tables."""
    return DocumentType.objects.filter(is_active=True)


@router.post("/documents/reserve-number", response={201: ReservedNumberOut})
def reserve_number(request, payload: ReserveIn):
    """Take the next outgoing number in advance (số giữ chỗ); pass its id as
    `reservation` when issuing."""
    reservation = services.reserve_number(
        organization=_organization(request, payload.organization),
        acting_user=request.user,
        doc_type=_doc_type(payload.doc_type),
        note=payload.note,
    )
    return Status(201, reservation)


@router.get("/documents", response=ListPagination.output_schema(DocumentOut))
def list_documents(
    request,
    filters: Query[DocumentFilterIn],
    pagination: Query[ListPagination.Input],
):
    """Documents in the caller's scope and clearance; filter and sort by any
    metadata field. `count` is exact up to 10,000; above, it is 10,001 with
    `count_capped` true."""
    qs = filter_documents(
        Document.objects.restrict(request.user, "view"),
        filters.model_dump(exclude_none=True),
    )
    size = ListPagination().page_size_for(pagination)
    return listing.page_response(qs, pagination.page, size)


@router.get("/documents/{int:document_id}", response=DocumentDetailOut)
def get_document(request, document_id: int):
    """One document with its files, timeline and recipients' status."""
    return _detail(request, _document(request, document_id))


@router.post("/documents/incoming", response={201: DocumentDetailOut})
def register_incoming(
    request, payload: Form[IncomingIn], files: File[list[UploadedFile]] = None
):
    """Register an incoming document with its files (multipart form); the
    answer carries its arrival number."""
    data = payload.model_dump()
    organization = _organization(request, data.pop("organization"))
    data["doc_type"] = _doc_type(data["doc_type"])
    present_to = data.pop("present_to")
    document = services.create_incoming(
        organization=organization,
        acting_user=request.user,
        files=files or [],
        present_to=_person(request, present_to) if present_to else None,
        **data,
    )
    return Status(201, _document(request, document.pk))


@router.post("/documents/drafts", response={201: DocumentDetailOut})
def create_draft(request, payload: DraftIn):
    """Start an outgoing or internal draft."""
    data = payload.model_dump()
    organization = _organization(request, data.pop("organization"))
    data["doc_type"] = _doc_type(data["doc_type"])
    document = services.create_draft(
        organization=organization, acting_user=request.user, **data
    )
    return Status(201, _document(request, document.pk))


@router.patch("/documents/{int:document_id}", response=DocumentDetailOut)
def update_draft(request, document_id: int, payload: DraftPatch):
    """Save a new version of a draft."""
    document = _document(request, document_id, "change")
    services.update_draft(
        document, acting_user=request.user, **payload.model_dump(exclude_unset=True)
    )
    return _document(request, document_id)


@router.post("/documents/{int:document_id}/files", response={201: AttachmentOut})
def upload_file(request, document_id: int, file: File[UploadedFile]):
    """Attach a file (type checked by content, size-limited)."""
    document = _document(request, document_id, "change")
    attachment = services.attach_file(document, file, acting_user=request.user)
    return Status(201, attachment)


@router.post(
    "/documents/{int:document_id}/files/{int:attachment_id}/verify",
    response=AttachmentOut,
)
def verify_file(request, document_id: int, attachment_id: int):
    """Validate a file's signatures again (e.g. after trusting a new root)."""
    from hoso.documents import signatures

    document = _document(request, document_id)
    attachment = get_object_or_404(
        document.attachments.select_related("stored_file"), pk=attachment_id
    )
    signatures.verify_attachment(attachment)
    return attachment


@router.get("/documents/{int:document_id}/files/{int:attachment_id}")
def download_file(request, document_id: int, attachment_id: int, inline: bool = False):
    """Download a file: classified PDFs are watermarked for the viewer, and
    every download of classified material is audited."""
    document = _document(request, document_id)
    attachment = get_object_or_404(document.attachments, pk=attachment_id)
    response: HttpResponse | FileResponse = downloads.file_response(
        document, attachment, request.user, inline=inline
    )
    return response


@router.post("/documents/{int:document_id}/register", response=DocumentDetailOut)
def register(request, document_id: int):
    """Register a received document (gives it the next arrival number)."""
    services.register_incoming(
        _document(request, document_id), acting_user=request.user
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/present", response=DocumentDetailOut)
def present(request, document_id: int, payload: PresentIn):
    """Present to a leader for instruction."""
    services.present(
        _document(request, document_id),
        acting_user=request.user,
        leader=_person(request, payload.leader),
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/instruct", response=DocumentDetailOut)
def instruct(request, document_id: int, payload: InstructIn):
    """The leader's instruction: lead, coordinating and informed assignees."""
    assignments = []
    for item in payload.assignments:
        assignments.append(
            {
                "role": item.role,
                "person": _person(request, item.person) if item.person else None,
                "organization": _organization(request, item.organization)
                if item.organization
                else None,
                "deadline": item.deadline,
                "note": item.note,
            }
        )
    services.instruct(
        _document(request, document_id),
        acting_user=request.user,
        assignments=assignments,
        deadline=payload.deadline,
        note=payload.note,
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/process", response=DocumentDetailOut)
def process(request, document_id: int):
    """Start processing."""
    services.start_processing(_document(request, document_id), acting_user=request.user)
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/complete", response=DocumentDetailOut)
def complete(request, document_id: int, payload: NoteIn):
    """Complete (optionally linking the reply document)."""
    reply = _document(request, payload.reply) if payload.reply else None
    services.complete(
        _document(request, document_id),
        acting_user=request.user,
        note=payload.note,
        reply=reply,
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/return", response=DocumentDetailOut)
def return_document(request, document_id: int, payload: ReasonIn):
    """Return to the clerk with a reason."""
    services.return_document(
        _document(request, document_id), acting_user=request.user, reason=payload.reason
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/refuse", response=DocumentDetailOut)
def refuse(request, document_id: int, payload: ReasonIn):
    """Refuse a received document; the sender sees the reason."""
    services.refuse(
        _document(request, document_id), acting_user=request.user, reason=payload.reason
    )
    return _detail(request, _document(request, document_id))


@router.post(
    "/documents/{int:document_id}/request-opinions", response=DocumentDetailOut
)
def request_opinions(request, document_id: int, payload: OpinionsIn):
    """Ask colleagues for opinions on a draft."""
    services.request_opinions(
        _document(request, document_id),
        acting_user=request.user,
        people=[_person(request, pk) for pk in payload.people],
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/opinion", response=DocumentDetailOut)
def give_opinion(request, document_id: int, payload: OpinionIn):
    """Give the opinion asked of the caller."""
    services.give_opinion(
        _document(request, document_id), acting_user=request.user, text=payload.text
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/approve", response=DocumentDetailOut)
def approve(request, document_id: int, payload: NoteIn):
    """Approve a draft for issue."""
    services.approve(
        _document(request, document_id), acting_user=request.user, note=payload.note
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/send-back", response=DocumentDetailOut)
def send_back(request, document_id: int, payload: ReasonIn):
    """Send a draft back for changes."""
    services.send_back_to_draft(
        _document(request, document_id), acting_user=request.user, reason=payload.reason
    )
    return _detail(request, _document(request, document_id))


class SignIn(Schema):
    password: str = Field(min_length=1, max_length=128)
    otp_token: str = Field("", max_length=8)


@router.post("/documents/{int:document_id}/sign", response=DocumentDetailOut)
def sign(request, document_id: int, payload: SignIn):
    """Sign an approved document with the caller's certificate (PAdES); the
    caller re-enters their password and TOTP code."""
    services.sign_document(
        _document(request, document_id),
        acting_user=request.user,
        password=payload.password,
        otp_token=payload.otp_token,
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/issue", response=DocumentDetailOut)
def issue(request, document_id: int, payload: IssueIn):
    """Number, issue and dispatch to organizations on this system."""
    from hoso.documents.models import ReservedNumber

    data = payload.model_dump()
    document = _document(request, document_id)
    targets = dispatch_targets(document.organization)
    recipients = [get_object_or_404(targets, pk=pk) for pk in data.pop("recipients")]
    reservation_id = data.pop("reservation")
    reservation = (
        get_object_or_404(
            ReservedNumber.objects.restrict(request.user, "view"), pk=reservation_id
        )
        if reservation_id
        else None
    )
    services.issue(
        _document(request, document_id),
        acting_user=request.user,
        recipients=recipients,
        reservation=reservation,
        **data,
    )
    return _detail(request, _document(request, document_id))


@router.post("/documents/{int:document_id}/recall", response=DocumentDetailOut)
def recall(request, document_id: int, payload: ReasonIn):
    """Recall an issued document; recipients' copies are withdrawn."""
    services.recall(
        _document(request, document_id), acting_user=request.user, reason=payload.reason
    )
    return _detail(request, _document(request, document_id))


# Case files ------------------------------------------------------------------


class CaseFileOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    year: int
    code: str
    title: str
    retention_years: int
    closed_on: date | None
    archive_due: date | None
    transferred_on: date | None
    documents: list[int]

    @staticmethod
    def resolve_documents(obj):
        return [document.pk for document in obj.documents.all()]


class CaseFileIn(Schema):
    organization: int
    year: int = Field(ge=1945, le=2100)
    code: str = Field(min_length=1, max_length=50)
    title: str = Field(min_length=1, max_length=500)
    retention_years: int = Field(0, ge=0, le=100)


class FileDocumentsIn(Schema):
    documents: list[int] = Field(min_length=1)


def _case_file(request, case_file_id: int, action: str = "view"):
    return get_object_or_404(
        CaseFile.objects.restrict(request.user, action).prefetch_related("documents"),
        pk=case_file_id,
    )


@router.get("/case-files", response=list[CaseFileOut])
@paginate(ListPagination)
def list_case_files(request, year: int | None = None, due: bool = False):
    """Case files in scope; `due=true` lists those due for archive transfer."""
    qs = (
        casefiles.due_for_transfer(request.user)
        if due
        else CaseFile.objects.restrict(request.user, "view")
    )
    if year is not None:
        qs = qs.filter(year=year)
    return qs.prefetch_related("documents")


@router.post("/case-files", response={201: CaseFileOut})
def create_case_file(request, payload: CaseFileIn):
    """Open a case file in an organization's file plan."""
    data = payload.model_dump()
    organization = _organization(request, data.pop("organization"))
    case_file = casefiles.create_case_file(
        acting_user=request.user, organization=organization, **data
    )
    return Status(201, _case_file(request, case_file.pk))


@router.get("/case-files/{int:case_file_id}", response=CaseFileOut)
def get_case_file(request, case_file_id: int):
    return _case_file(request, case_file_id)


@router.post("/case-files/{int:case_file_id}/documents", response=CaseFileOut)
def file_documents(request, case_file_id: int, payload: FileDocumentsIn):
    """File documents into an open case file."""
    case_file = _case_file(request, case_file_id, "change")
    documents = [_document(request, pk) for pk in payload.documents]
    casefiles.add_documents(case_file, documents, acting_user=request.user)
    return _case_file(request, case_file_id)


@router.post("/case-files/{int:case_file_id}/close", response=CaseFileOut)
def close_case_file(request, case_file_id: int):
    """Close a case file (archive transfer falls due a year later)."""
    casefiles.close_case_file(
        _case_file(request, case_file_id, "change"), acting_user=request.user
    )
    return _case_file(request, case_file_id)


@router.post("/case-files/{int:case_file_id}/transfer", response=CaseFileOut)
def transfer_case_file(request, case_file_id: int):
    """Record the transfer to the archive."""
    casefiles.mark_transferred(
        _case_file(request, case_file_id, "change"), acting_user=request.user
    )
    return _case_file(request, case_file_id)

"""Scan intake API: batches with per-file progress, the review queue and
its transitions (confirm, reject), retries."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.core.choices import Secrecy
from hoso.digitization import forms, services
from hoso.digitization.choices import (
    BatchSource,
    BatchStatus,
    ItemStatus,
    RecordStatus,
)
from hoso.digitization.filtersets import IntakeRecordFilterIn, ScanBatchFilterIn
from hoso.digitization.models import IntakeRecord, ScanBatch, ScanItem
from hoso.documents.choices import Urgency
from hoso.organizations.models import Organization

router = Router(tags=["digitization"])


class ScanItemOut(Schema):
    id: int
    position: int
    name: str = Field(alias="original_name")
    content_type: str
    status: ItemStatus
    pages: int
    pages_done: int
    percent: int
    method: str
    needed_cleanup: bool
    cleaned_pages: list[int]
    quality: float | None
    ocr_seconds: float | None
    cpu_seconds: float | None
    attempts: int
    error: str
    original_sha256: str = Field(alias="original.sha256")
    searchable_sha256: str | None = None
    record: int | None = None

    @staticmethod
    def resolve_searchable_sha256(obj):
        return obj.searchable.sha256 if obj.searchable_id else None

    @staticmethod
    def resolve_record(obj):
        record = getattr(obj, "record", None)
        return record.pk if record is not None else None


class ScanBatchOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    name: str
    source: BatchSource
    secrecy: Secrecy
    status: BatchStatus
    item_count: int
    done_count: int
    failed_count: int
    page_count: int
    pages_done: int
    percent: int
    created: datetime
    finished_at: datetime | None


class ScanBatchDetailOut(ScanBatchOut):
    items: list[ScanItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(
            obj.items.select_related("original", "searchable", "record").order_by(
                "position", "pk"
            )
        )


class BatchIn(Schema):
    organization: int
    name: str = Field("", max_length=200)
    secrecy: Secrecy = Secrecy.NONE


class IntakeRecordOut(Schema):
    id: int
    item: int = Field(alias="item_id")
    batch: int = Field(alias="item.batch_id")
    file: str = Field(alias="item.original_name")
    organization: int = Field(alias="organization_id")
    secrecy: Secrecy
    status: RecordStatus
    extracted: dict
    proposed: dict
    final: dict
    corrected: dict
    suggested_case_file: int | None = Field(None, alias="suggested_case_file_id")
    case_file: int | None = Field(None, alias="case_file_id")
    document: int | None = Field(None, alias="document_id")
    reviewed_at: datetime | None
    created: datetime


class IntakeRecordDetailOut(IntakeRecordOut):
    text: str = Field(alias="item.text")


class ConfirmIn(Schema):
    """The reviewed metadata. Fields left out keep the proposed value."""

    doc_type: int | None = Field(None, description="Document type id.")
    symbol: str | None = Field(None, max_length=64)
    number: int | None = Field(None, ge=0)
    issuer_name: str | None = Field(None, max_length=255)
    place: str | None = Field(None, max_length=100)
    issued_date: date | None = None
    excerpt: str | None = Field(None, max_length=1000)
    signer_name: str | None = Field(None, max_length=150)
    signer_position: str | None = Field(None, max_length=150)
    urgency: Urgency | None = None
    secrecy: Secrecy | None = None
    page_count: int | None = Field(None, ge=0)
    case_file: int | None = Field(
        None, description="Case file id; the suggested one when left out."
    )


class RejectIn(Schema):
    reason: str = Field("", max_length=2000)


def _batch(request, batch_id: int) -> ScanBatch:
    return get_object_or_404(
        ScanBatch.objects.restrict(request.user, "view"), pk=batch_id
    )


def _record(request, record_id: int, action: str = "view") -> IntakeRecord:
    return get_object_or_404(
        IntakeRecord.objects.restrict(request.user, action).select_related(
            "item", "organization"
        ),
        pk=record_id,
    )


@router.post("/intake/batches", response={201: ScanBatchDetailOut})
def create_batch(request, payload: Form[BatchIn], files: File[list[UploadedFile]]):
    """Upload scans (PDF, TIFF, JPEG, PNG, or ZIP archives of them) as one
    batch; each file is OCRed in the background. Poll the batch for
    progress."""
    organization = get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=payload.organization
    )
    batch = services.create_batch(
        organization,
        files,
        acting_user=request.user,
        name=payload.name,
        source=BatchSource.API,
        secrecy=int(payload.secrecy),
    )
    return Status(201, _batch(request, batch.pk))


@router.get("/intake/batches", response=list[ScanBatchOut])
@paginate(PageNumberPagination)
def list_batches(request, filters: Query[ScanBatchFilterIn]):
    """Scan batches in the caller's scope, newest first."""
    return filters.filter(ScanBatch.objects.restrict(request.user, "view"))


@router.get("/intake/batches/{int:batch_id}", response=ScanBatchDetailOut)
def get_batch(request, batch_id: int):
    """A batch with the progress of each file (pages done of pages)."""
    return _batch(request, batch_id)


@router.post("/intake/items/{int:item_id}/retry", response=ScanItemOut)
def retry_item(request, item_id: int):
    """Queue a failed file's OCR again."""
    item = get_object_or_404(
        ScanItem.objects.restrict(request.user, "view"), pk=item_id
    )
    services.retry_item(item, acting_user=request.user)
    return ScanItem.objects.select_related("original", "searchable").get(pk=item_id)


@router.get("/intake/records", response=list[IntakeRecordOut])
@paginate(PageNumberPagination)
def list_records(request, filters: Query[IntakeRecordFilterIn]):
    """The review queue (`?status=pending`) and past reviews."""
    return filters.filter(
        IntakeRecord.objects.restrict(request.user, "view").select_related("item")
    )


@router.get("/intake/records/{int:record_id}", response=IntakeRecordDetailOut)
def get_record(request, record_id: int):
    """One record with the OCR text."""
    return _record(request, record_id)


@router.post("/intake/records/{int:record_id}/confirm", response=IntakeRecordDetailOut)
def confirm_record(request, record_id: int, payload: ConfirmIn):
    """Confirm (or correct) the metadata and register the incoming
    document; corrections are kept as labelled data."""
    record = _record(request, record_id)
    form_class = forms.ReviewForm
    initial = forms.initial_values(record)
    given = payload.model_dump(exclude_unset=True)
    data = {**initial, **given}
    form = form_class(
        data={k: ("" if v is None else v) for k, v in data.items()},
        user=request.user,
        record=record,
    )
    if not form.is_valid():
        raise ValidationError(
            {field: [str(e) for e in errors] for field, errors in form.errors.items()}
        )
    if form.cleaned_data.get("case_file") is None and given.get("case_file"):
        raise ValidationError({"case_file": _("Unknown case file.")})
    services.confirm_record(
        record,
        acting_user=request.user,
        fields=form.metadata(),
        case_file=form.cleaned_data.get("case_file"),
    )
    return _record(request, record_id)


@router.post("/intake/records/{int:record_id}/reject", response=IntakeRecordDetailOut)
def reject_record(request, record_id: int, payload: RejectIn):
    """Take a record out of the review queue without registering it."""
    record = _record(request, record_id)
    services.reject_record(record, acting_user=request.user, reason=payload.reason)
    return _record(request, record_id)

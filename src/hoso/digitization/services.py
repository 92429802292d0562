"""Scan intake, OCR processing and the review queue.

Every change goes through a function here (views, the API, the watched
folder command and the OCR job call the same ones): it checks the
permission, works inside one transaction, writes the audit entry and
enqueues background work only once the transaction has committed.

The life of a scan: `create_batch` stores the untouched originals and
queues one `ocr_item` job per file → `process_item` (the job) makes the
searchable PDF/A and the text, runs the metadata extractor and opens an
`IntakeRecord` → the clerk confirms it (`confirm_record`, which registers an
incoming document with both files) or rejects it (`reject_record`).
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.digitization import ocr, scans
from hoso.digitization.choices import (
    BatchSource,
    BatchStatus,
    ItemStatus,
    RecordStatus,
    TextMethod,
)
from hoso.digitization.models import IntakeRecord, ScanBatch, ScanItem
from hoso.documents import storage
from hoso.documents.models import CaseFile, Document, DocumentType

logger = logging.getLogger(__name__)

# The keys of the extractor's answer (hoso.digitization.extraction).
EXTRACTED_KEYS = [
    "symbol",
    "number",
    "type",
    "issued_on",
    "place",
    "issuer",
    "excerpt",
    "signer",
    "secrecy",
    "urgency",
]
# The document metadata a reviewer confirms, in the documents app's names.
REVIEW_FIELDS = [
    "doc_type",
    "symbol",
    "number",
    "issuer_name",
    "place",
    "issued_date",
    "excerpt",
    "signer_name",
    "signer_position",
    "urgency",
    "secrecy",
    "page_count",
]
_SUFFIX = {
    storage.PDF: ".pdf",
    storage.PNG: ".png",
    storage.JPEG: ".jpg",
    storage.TIFF: ".tif",
}
# Longest text kept in the extractor's input and the labelled data.
MAX_TEXT = 200_000


def _require(user, permission: str, organization) -> None:
    if not permissions.has_permission(user, permission, organization):
        raise PermissionDenied


def _stale_after() -> timedelta:
    """How long a "processing" item may go without finishing before it is
    considered abandoned (its worker crashed) and may be taken again."""
    return timedelta(minutes=int(getattr(settings, "INTAKE_STALE_MINUTES", 30)))


def _enqueue_on_commit(item_ids: Iterable[int]) -> None:
    from hoso.digitization.tasks import ocr_item

    for item_id in item_ids:
        transaction.on_commit(partial(ocr_item.enqueue, item_id))


# Intake ----------------------------------------------------------------------


@transaction.atomic
def create_batch(
    organization,
    files: Iterable,
    *,
    acting_user,
    name: str = "",
    source: str = BatchSource.UPLOAD,
    secrecy: int = 0,
) -> ScanBatch:
    """Accept scanned files for an organization and queue their OCR.

    GIVEN a user with `digitization.add_scanbatch` at the organization
    WHEN they hand in PDF, TIFF, JPEG or PNG files (or ZIP archives of them)
    THEN the originals are stored untouched, one item per file, and one OCR
    job per item is queued once the transaction commits. A file that is not
    a scan, a damaged file, or an archive with an unsafe entry refuses the
    whole batch with an error naming it.
    """
    _require(acting_user, "digitization.add_scanbatch", organization)
    if secrecy > permissions.clearance_of(acting_user) and not acting_user.is_superuser:
        raise ValidationError(
            {"secrecy": _("You may not hand in material above your clearance.")}
        )
    batch = ScanBatch.objects.create(
        organization=organization,
        name=(name or "").strip()[:200],
        source=source,
        secrecy=secrecy,
        created_by=acting_user,
    )
    items = []
    for position, scan in enumerate(scans.iter_scans(files), start=1):
        stored = storage.store_file(scan.data, name=scan.name, classified=secrecy > 0)
        items.append(
            ScanItem(
                batch=batch,
                position=position,
                original=stored,
                original_name=scan.name,
                content_type=scan.content_type,
                secrecy=secrecy,
                pages=scan.pages,
            )
        )
    ScanItem.objects.bulk_create(items)
    if not batch.name:
        batch.name = items[0].original_name if len(items) == 1 else ""
    batch.item_count = len(items)
    batch.page_count = sum(item.pages for item in items)
    batch.save(update_fields=["name", "item_count", "page_count", "updated"])
    audit.record(
        "digitization.batch_created",
        obj=batch,
        actor=acting_user,
        changes={
            "files": [None, [item.original_name for item in items]],
            "sha256": [None, [item.original.sha256 for item in items]],
            "source": [None, source],
        },
    )
    _enqueue_on_commit(
        ScanItem.objects.filter(batch=batch).values_list("pk", flat=True)
    )
    return batch


def refresh_batch(batch_id: int) -> None:
    """Recount a batch from its items (status, files and pages done).

    The batch row is locked while counting, so two workers finishing items
    of the same batch at once cannot leave a stale count behind.
    """
    with transaction.atomic():
        batch = ScanBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            return
        counts = ScanItem.objects.filter(batch_id=batch_id).aggregate(
            item_total=Count("pk"),
            done=Count("pk", filter=Q(status=ItemStatus.DONE)),
            failed=Count("pk", filter=Q(status=ItemStatus.FAILED)),
            started=Count("pk", filter=~Q(status=ItemStatus.QUEUED)),
            page_total=Sum("pages"),
            page_done=Sum(
                Case(
                    When(status=ItemStatus.DONE, then=F("pages")),
                    default=F("pages_done"),
                    output_field=IntegerField(),
                )
            ),
        )
        finished = counts["done"] + counts["failed"]
        if counts["item_total"] and finished == counts["item_total"]:
            status = BatchStatus.FAILED if counts["failed"] else BatchStatus.DONE
        elif counts["started"]:
            status = BatchStatus.PROCESSING
        else:
            status = BatchStatus.QUEUED
        is_finished = status in (BatchStatus.DONE, BatchStatus.FAILED)
        ScanBatch.objects.filter(pk=batch_id).update(
            status=status,
            item_count=counts["item_total"],
            done_count=counts["done"],
            failed_count=counts["failed"],
            page_count=counts["page_total"] or 0,
            pages_done=counts["page_done"] or 0,
            finished_at=(batch.finished_at or timezone.now()) if is_finished else None,
            updated=timezone.now(),
        )


# The OCR job -------------------------------------------------------------------


def _claim(item_id: int) -> bool:
    """Take a queued item (or one abandoned by a crashed worker) for
    processing; False when another run has it or it is finished."""
    now = timezone.now()
    takeable = Q(status=ItemStatus.QUEUED) | Q(
        status=ItemStatus.PROCESSING, started_at__lt=now - _stale_after()
    )
    claimed = (
        ScanItem.objects.filter(takeable, pk=item_id).update(
            status=ItemStatus.PROCESSING,
            started_at=now,
            finished_at=None,
            pages_done=0,
            error="",
            attempts=F("attempts") + 1,
            updated=now,
        )
        == 1
    )
    return claimed


def process_item(item_id: int) -> dict:
    """The OCR job for one scanned file (idempotent).

    GIVEN a queued item
    WHEN a worker runs its job
    THEN the item gets its searchable PDF/A (a new stored file beside the
    original), its text and timings, and an intake record with the
    extracted fields waits for review. A finished item, or one another
    worker is processing, is left alone; a failure marks the item failed
    with the error, ready for a retry.
    """
    if not _claim(item_id):
        status = (
            ScanItem.objects.filter(pk=item_id).values_list("status", flat=True).first()
        )
        return {"item": item_id, "skipped": status or "missing"}
    item = ScanItem.objects.select_related("batch__organization", "original").get(
        pk=item_id
    )
    refresh_batch(item.batch_id)

    def report(pages_done: int) -> None:
        ScanItem.objects.filter(pk=item_id, status=ItemStatus.PROCESSING).update(
            pages_done=min(pages_done, item.pages)
        )
        refresh_batch(item.batch_id)

    try:
        with tempfile.TemporaryDirectory(prefix="hoso-ocr-") as workdir:
            source = Path(workdir) / f"original{_SUFFIX.get(item.content_type, '')}"
            source.write_bytes(storage.read_file(item.original))
            result = ocr.process(
                source,
                item.content_type,
                Path(workdir),
                pages=item.pages,
                on_page=report,
            )
            output = result.output.read_bytes()
            extracted = None
            if not IntakeRecord.objects.filter(item_id=item_id).exists():
                reread = None
                if result.method != TextMethod.EMBEDDED:
                    reread = partial(_read_first_page, source)
                extracted = first_page_fields(
                    result.first_page or result.text,
                    organization=item.batch.organization,
                    reread=reread,
                )
        _store_result(item, result, output, extracted)
    except Exception as exc:  # noqa: BLE001 - every failure is kept on the item
        logger.exception("OCR of scan item %s failed", item_id)
        _fail(item, exc)
        refresh_batch(item.batch_id)
        return {"item": item_id, "status": ItemStatus.FAILED, "error": item.error}
    refresh_batch(item.batch_id)
    return {
        "item": item_id,
        "status": ItemStatus.DONE,
        "pages": result.pages,
        "seconds": result.seconds,
        "cleanup": result.needed_cleanup,
    }


def searchable_name(item: ScanItem) -> str:
    """The searchable PDF/A's file name: the original's, ending in .pdf."""
    stem = item.original_name.rsplit(".", 1)[0] or "scan"
    return f"{stem}.pdf"[:255]


@transaction.atomic
def _store_result(
    item: ScanItem, result: ocr.OcrResult, output: bytes, extracted: dict | None
) -> None:
    searchable = storage.store_file(
        output, name=searchable_name(item), classified=item.secrecy > 0
    )
    item.searchable = searchable
    item.text = result.text
    item.method = result.method
    item.quality = result.quality
    item.needed_cleanup = result.needed_cleanup
    item.cleaned_pages = result.cleaned_pages
    item.ocr_seconds = result.seconds
    item.cpu_seconds = result.cpu_seconds
    item.pages_done = item.pages
    item.status = ItemStatus.DONE
    item.error = ""
    item.finished_at = timezone.now()
    item.save()
    record = open_record(item, extracted)
    audit.record(
        "digitization.item_processed",
        obj=item,
        organization=item.batch.organization,
        changes={
            "searchable": [None, searchable.sha256],
            "method": [None, result.method],
            "needed_cleanup": [None, result.needed_cleanup],
            "record": [None, record.pk],
        },
    )


def _fail(item: ScanItem, exc: Exception) -> None:
    message = str(exc).strip() or type(exc).__name__
    item.error = message[:2000]
    item.status = ItemStatus.FAILED
    item.finished_at = timezone.now()
    ScanItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.FAILED,
        error=item.error,
        finished_at=item.finished_at,
        updated=item.finished_at,
    )


@transaction.atomic
def retry_item(item: ScanItem, *, acting_user) -> ScanItem:
    """Queue a failed (or abandoned) item's OCR again.

    GIVEN an item that failed, or stayed "processing" past the stale limit
    WHEN a user with `digitization.change_scanitem` retries it
    THEN it is queued again and its job is enqueued after the commit.
    """
    item = (
        ScanItem.objects.restrict(acting_user, "change")
        .select_for_update(of=("self",))
        .select_related("batch__organization")
        .get(pk=item.pk)
    )
    stale = (
        item.status == ItemStatus.PROCESSING
        and item.started_at is not None
        and item.started_at < timezone.now() - _stale_after()
    )
    if item.status != ItemStatus.FAILED and not stale:
        raise ValidationError(
            {"status": _("Only a failed file can be processed again.")}
        )
    previous_error = item.error
    item.status = ItemStatus.QUEUED
    item.error = ""
    item.pages_done = 0
    item.save(update_fields=["status", "error", "pages_done", "updated"])
    audit.record(
        "digitization.item_retried",
        obj=item,
        actor=acting_user,
        organization=item.batch.organization,
        changes={"error": [previous_error, ""]},
    )
    _enqueue_on_commit([item.pk])
    transaction.on_commit(partial(refresh_batch, item.batch_id))
    return item


def retry_batch(batch: ScanBatch, *, acting_user) -> int:
    """Retry every failed item of a batch; returns how many were queued."""
    failed = ScanItem.objects.restrict(acting_user, "change").filter(
        batch=batch, status=ItemStatus.FAILED
    )
    count = 0
    for item in failed:
        retry_item(item, acting_user=acting_user)
        count += 1
    return count


def requeue_abandoned() -> int:
    """Queue again the items whose worker died mid-way (processing for
    longer than the stale limit); for the scheduler or `hoso intake
    requeue`. A duplicate job is harmless: only one run can claim an item."""
    limit = timezone.now() - _stale_after()
    ids = list(
        ScanItem.objects.filter(
            status=ItemStatus.PROCESSING, started_at__lt=limit
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        _enqueue_on_commit(ids)
    return len(ids)


# Extraction and the proposal -------------------------------------------------


def run_extractor(text: str, organization=None, known_issuers=None) -> dict:
    """The extractor's fields for a text ({} when it is not installed yet
    or fails: review then starts from empty fields)."""
    try:
        from hoso.digitization.extraction import extract_fields
    except ImportError:
        return {}
    try:
        fields = (
            extract_fields(
                text[:MAX_TEXT],
                organization=organization,
                known_issuers=known_issuers,
            )
            or {}
        )
    except Exception:  # noqa: BLE001 - extraction is advisory
        logger.exception("metadata extraction failed")
        return {}
    return {
        str(key): (value if value is None else str(value))
        for key, value in fields.items()
    }


# Fields every first page prints: when the intake OCR's reading of page 1
# leaves one of them out, the page is read again by the extractor's own OCR.
REREAD_WHEN_MISSING = ("symbol", "issued_on", "issuer", "excerpt", "signer")


def first_page_fields(
    text: str, *, organization=None, known_issuers=None, reread=None
) -> dict:
    """The metadata of a scan's first page, for the review form.

    The text the OCR job already has (OCRmyPDF's reading, laid out by
    `pdftotext -layout`) is tried first: on a clean page it gives every
    field. When a field every first page prints is missing — a noisy,
    skewed or speckled scan — `reread()` is asked for the extractor's own
    reading of page 1 (the page cleaned, rules and mark boxes erased, the
    header's columns rebuilt from the word boxes; about a second more of
    Tesseract), and its fields win, the first reading filling what it
    left out. Clean pages never pay for the second reading."""
    fields = run_extractor(text, organization, known_issuers)
    if reread is None or all(fields.get(name) for name in REREAD_WHEN_MISSING):
        return fields
    try:
        second = run_extractor(reread(), organization, known_issuers)
    except Exception:  # noqa: BLE001 - the first reading still stands
        logger.exception("second reading of a first page failed")
        return fields
    if not second:
        return fields
    return {
        name: second.get(name) if second.get(name) is not None else fields.get(name)
        for name in dict.fromkeys([*second, *fields])
    }


def _read_first_page(source: Path) -> str:
    """The extractor's own OCR of a scan's first page (see
    `first_page_fields`)."""
    from hoso.digitization.extraction import page_text

    return page_text(source)[0]


_URGENCY_WORDS = [
    ("hoa toc hen gio", 4),
    ("hoa toc", 3),
    ("thuong khan", 2),
    ("khan", 1),
]
_SECRECY_WORDS = [("tuyet mat", 3), ("toi mat", 2), ("mat", 1)]


def _level(value, words: list[tuple[str, int]], top: int) -> int:
    """An urgency or secrecy mark ("Thượng khẩn", "MẬT", "2") as a level."""
    if value in (None, ""):
        return 0
    text = ocr.fold(str(value)).strip()
    if text.isdigit():
        return min(int(text), top)
    for word, level in words:
        if re.search(rf"\b{word}\b", text):
            return level
    return 0


def _parse_date(value) -> date | None:
    """An extracted date (ISO or dd/mm/yyyy), only when plausible: OCR
    misreads digits, so a date before 1930 or in the future is dropped."""
    if not value:
        return None
    text = str(value).strip()
    parsed = None
    try:
        parsed = date.fromisoformat(text[:10])
    except ValueError:
        match = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$", text)
        if match:
            try:
                parsed = date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                parsed = None
    if parsed is None or parsed.year < 1930 or parsed > timezone.localdate():
        return None
    return parsed


def resolve_doc_type(type_text: str | None, symbol: str | None) -> DocumentType | None:
    """The document type named by the extractor (code or name), else the
    one in the number and symbol (`57-NQ/TU` → Party NQ)."""
    from hoso.documents.symbols import SymbolError, canonical_type_code, parse_symbol

    active = DocumentType.objects.filter(is_active=True)
    parsed = None
    if symbol:
        try:
            parsed = parse_symbol(symbol)
        except SymbolError:
            parsed = None
    systems = [parsed.style] if parsed else []
    systems += [system for system in ("party", "state") if system not in systems]
    if type_text:
        code = canonical_type_code(type_text)
        for system in systems:
            found = active.filter(system=system, code=code).first()
            if found:
                return found
        wanted = ocr.fold(type_text).strip()
        by_name = {}
        for doc_type in active:
            by_name.setdefault((doc_type.system, ocr.fold(doc_type.name)), doc_type)
        for system in systems:
            for (type_system, name), doc_type in by_name.items():
                if type_system == system and (
                    name == wanted or name.split(" (")[0] == wanted
                ):
                    return doc_type
    if parsed and parsed.type_code:
        return active.filter(system=parsed.style, code=parsed.type_code).first()
    return None


def type_key(doc_type: DocumentType | None) -> str:
    """How a document type is written in the JSON fields: `party:NQ`."""
    return f"{doc_type.system}:{doc_type.code}" if doc_type else ""


def doc_type_from_key(key: str) -> DocumentType | None:
    if not key or ":" not in key:
        return None
    system, code = key.split(":", 1)
    return DocumentType.objects.filter(system=system, code=code).first()


def propose(extracted: dict, item: ScanItem) -> dict:
    """The extractor's fields as document metadata (JSON-ready), the
    review form's starting values."""
    from hoso.documents.symbols import SymbolError, format_symbol, parse_symbol

    symbol = (extracted.get("symbol") or "").strip()
    number = None
    try:
        parsed = parse_symbol(symbol) if symbol else None
    except SymbolError:
        parsed = None
    if parsed is not None:
        symbol = format_symbol(parsed)
        number = parsed.number
    raw_number = str(extracted.get("number") or "").strip()
    if raw_number.isdigit():
        number = int(raw_number)
    issued = _parse_date(extracted.get("issued_on"))
    return {
        "doc_type": type_key(resolve_doc_type(extracted.get("type"), symbol)),
        "symbol": symbol[:64],
        "number": number,
        "issuer_name": (extracted.get("issuer") or "").strip()[:255],
        "place": (extracted.get("place") or "").strip()[:100],
        "issued_date": issued.isoformat() if issued else None,
        "excerpt": (extracted.get("excerpt") or "").strip()[:1000],
        "signer_name": (extracted.get("signer") or "").strip()[:150],
        "signer_position": "",
        "urgency": _level(extracted.get("urgency"), _URGENCY_WORDS, 4),
        "secrecy": _level(extracted.get("secrecy"), _SECRECY_WORDS, 3),
        "page_count": item.pages or None,
    }


_STOPWORDS = {
    "cac", "cua", "cho", "con", "duoc", "nam", "nay", "nhung", "thuc", "tren",
    "trong", "tu", "va", "ve", "viec", "voi", "hien", "so", "ho", "the", "and",
}  # fmt: skip


def _words(text: str) -> set[str]:
    return {
        word
        for word in re.findall(r"\w+", ocr.fold(text or ""))
        if len(word) >= 2 and word not in _STOPWORDS and not word.isdigit()
    }


def suggest_case_file(organization, proposed: dict) -> CaseFile | None:
    """The open case file of the organization's file plan that this
    document most likely belongs in.

    First from the clerk's own past decisions (confirmed records of the same
    document type and issuer went into that file), then from the words the
    file's title shares with the document's type and excerpt.
    """
    issued = _parse_date(proposed.get("issued_date"))
    years = {timezone.localdate().year}
    if issued:
        years.add(issued.year)
    candidates = list(
        CaseFile.objects.filter(
            organization=organization, closed_on__isnull=True, year__in=years
        )
    )
    if not candidates:
        return None
    by_id = {case_file.pk: case_file for case_file in candidates}
    votes: Counter = Counter()
    issuer = ocr.fold(proposed.get("issuer_name") or "").strip()
    history = IntakeRecord.objects.filter(
        organization=organization,
        status=RecordStatus.CONFIRMED,
        case_file_id__in=list(by_id),
    ).order_by("-reviewed_at")[:300]
    for case_file_id, final in history.values_list("case_file_id", "final"):
        score = 0
        if proposed.get("doc_type") and final.get("doc_type") == proposed["doc_type"]:
            score += 2
        if issuer and ocr.fold(final.get("issuer_name") or "").strip() == issuer:
            score += 1
        if score >= 2:
            votes[case_file_id] += score
    if votes:
        return by_id[votes.most_common(1)[0][0]]
    doc_type = doc_type_from_key(proposed.get("doc_type") or "")
    words = _words(
        " ".join(
            [
                doc_type.name if doc_type else "",
                proposed.get("excerpt") or "",
                proposed.get("issuer_name") or "",
            ]
        )
    )
    best, best_score = None, 1
    for case_file in candidates:
        score = len(words & _words(case_file.title))
        if score > best_score:
            best, best_score = case_file, score
    return best


def open_record(item: ScanItem, extracted: dict | None = None) -> IntakeRecord:
    """The item's review record, created once (the job may run again);
    `extracted` is the extractor's answer when the caller already has it."""
    existing = IntakeRecord.objects.filter(item=item).first()
    if existing is not None:
        return existing
    organization = item.batch.organization
    if extracted is None:
        extracted = run_extractor(item.text, organization)
    proposed = propose(extracted, item)
    return IntakeRecord.objects.create(
        item=item,
        organization=organization,
        secrecy=max(item.secrecy, proposed["secrecy"]),
        extracted=extracted,
        proposed=proposed,
        suggested_case_file=suggest_case_file(organization, proposed),
    )


# Review ----------------------------------------------------------------------


def _lock_record(record: IntakeRecord, user) -> IntakeRecord:
    return (
        IntakeRecord.objects.restrict(user, "change")
        .select_for_update(of=("self",))
        .select_related("organization", "item__searchable", "item__original")
        .get(pk=record.pk)
    )


def serialize(fields: dict) -> dict:
    """Review values in their JSON form: types as `party:NQ`, dates ISO,
    levels as integers, texts stripped; missing values normalized so that
    a proposal and a confirmation compare field by field."""
    data: dict = {}
    for name in REVIEW_FIELDS:
        value = fields.get(name)
        if name == "doc_type":
            value = type_key(value) if isinstance(value, DocumentType) else value or ""
        elif name == "issued_date":
            value = value.isoformat() if isinstance(value, date) else value or None
        elif name in ("urgency", "secrecy"):
            value = int(value or 0)
        elif name in ("number", "page_count"):
            value = int(value) if value not in (None, "") else None
        else:
            value = str(value or "").strip()
        data[name] = value
    return data


def corrections(proposed: dict, final: dict) -> dict:
    """{field: {"extracted": …, "final": …}} where the clerk changed the
    proposed value."""
    before, after = serialize(proposed), serialize(final)
    return {
        name: {"extracted": before[name], "final": after[name]}
        for name in REVIEW_FIELDS
        if before[name] != after[name]
    }


def _check_case_file(case_file: CaseFile | None, record: IntakeRecord, user):
    if case_file is None:
        return None
    allowed = CaseFile.objects.restrict(user, "change").filter(
        pk=case_file.pk, organization=record.organization, closed_on__isnull=True
    )
    if not allowed.exists():
        raise ValidationError(
            {"case_file": _("Choose an open case file of this organization.")}
        )
    return case_file


@transaction.atomic
def confirm_record(
    record: IntakeRecord,
    *,
    acting_user,
    fields: dict,
    case_file: CaseFile | None = None,
) -> Document:
    """Turn a reviewed scan into an incoming document.

    GIVEN a pending record whose OCR is done, and a clerk with
    `digitization.change_intakerecord` and `documents.add_document`
    WHEN they confirm the metadata (corrected or not) and a case file
    THEN an incoming document is registered (arrival number) with the
    searchable PDF/A as its main file, carrying the OCR text for search, and
    the untouched original as the second file; it is filed in the case
    file; exact and near duplicates in the organization's archive are
    flagged for the duplicates report; the record keeps the final values
    and the corrections, which are the labelled data. A user who may add
    documents but not register them puts the document in the inbox
    instead.
    """
    from hoso.documents import casefiles
    from hoso.documents import services as documents
    from hoso.documents.models import Attachment

    record = _lock_record(record, acting_user)
    if record.status != RecordStatus.PENDING:
        raise ValidationError({"status": _("This record has already been reviewed.")})
    item = record.item
    if item.searchable is None:
        raise ValidationError({"status": _("The file has not been read yet.")})
    organization = record.organization
    _require(acting_user, "documents.add_document", organization)
    case_file = _check_case_file(case_file, record, acting_user)
    metadata = {name: fields[name] for name in REVIEW_FIELDS if name in fields}
    if isinstance(metadata.get("doc_type"), str):
        metadata["doc_type"] = doc_type_from_key(metadata["doc_type"])
    if metadata.get("doc_type") is None:
        raise ValidationError({"doc_type": _("Choose the document type.")})
    for name in ("number", "page_count"):
        if metadata.get(name) in ("", None):
            metadata[name] = None
    if metadata.get("secrecy", 0) > permissions.clearance_of(acting_user) and (
        not acting_user.is_superuser
    ):
        raise ValidationError(
            {"secrecy": _("You may not register material above your clearance.")}
        )
    main_name = searchable_name(item)
    files = [
        ContentFile(storage.read_file(item.searchable), name=main_name),
        ContentFile(storage.read_file(item.original), name=item.original_name),
    ]
    if permissions.has_permission(
        acting_user, "documents.register_document", organization
    ):
        document = documents.create_incoming(
            organization=organization, acting_user=acting_user, files=files, **metadata
        )
    else:
        document = documents.receive_incoming(
            organization=organization, acting_user=acting_user, files=files, **metadata
        )
    main = (
        Attachment.objects.filter(document=document, name=main_name)
        .order_by("-is_main", "pk")
        .first()
    )
    if main is not None:
        main.text = item.text
        main.save(update_fields=["text"])
    if case_file is not None:
        casefiles.add_documents(case_file, [document], acting_user=acting_user)
    duplicates = _flag_duplicates(document, acting_user)
    final = serialize(metadata)
    record.final = final
    record.corrected = corrections(record.proposed, final)
    record.case_file = case_file
    record.document = document
    record.status = RecordStatus.CONFIRMED
    record.reviewer = acting_user
    record.reviewed_at = timezone.now()
    record.save()
    audit.record(
        "digitization.record_confirmed",
        obj=record,
        actor=acting_user,
        changes={
            "document": [None, document.pk],
            "corrected": [None, sorted(record.corrected)],
            "case_file": [None, case_file.pk if case_file else None],
            "duplicates": [None, duplicates],
        },
    )
    return document


def _flag_duplicates(document: Document, acting_user) -> list[int]:
    """Flag the new document's exact and near duplicates in its
    organization's archive (the archive app's duplicates report); returns
    the ids of the documents it duplicates.

    Flagging is advisory: a failure is logged and rolled back to a
    savepoint, it never refuses the clerk's confirmation."""
    from hoso.archive.services import flag_document

    try:
        with transaction.atomic():
            flags = flag_document(document, acting_user=acting_user)
    except Exception:  # noqa: BLE001 - the report can be rebuilt later
        logger.exception("duplicate check of document %s failed", document.pk)
        return []
    return sorted(
        flag.other_id if flag.document_id == document.pk else flag.document_id
        for flag in flags
    )


@transaction.atomic
def reject_record(
    record: IntakeRecord, *, acting_user, reason: str = ""
) -> IntakeRecord:
    """Take a record out of the queue without registering anything (a
    blank page, a duplicate, a file scanned by mistake)."""
    record = _lock_record(record, acting_user)
    if record.status != RecordStatus.PENDING:
        raise ValidationError({"status": _("This record has already been reviewed.")})
    record.status = RecordStatus.REJECTED
    record.reason = (reason or "").strip()[:2000]
    record.reviewer = acting_user
    record.reviewed_at = timezone.now()
    record.save(
        update_fields=["status", "reason", "reviewer", "reviewed_at", "updated"]
    )
    audit.record(
        "digitization.record_rejected",
        obj=record,
        actor=acting_user,
        changes={"reason": [None, record.reason]},
    )
    return record


# Queries -----------------------------------------------------------------------


def pending_records(user):
    """Records waiting for this user's review."""
    return IntakeRecord.objects.restrict(user, "change").filter(
        status=RecordStatus.PENDING
    )


def waiting_items(user) -> list[tuple[str, int, str]]:
    """For the home page: scans waiting for review."""
    from django.urls import reverse

    return [
        (
            _("Scans waiting for review"),
            pending_records(user).count(),
            reverse("digitization:review"),
        )
    ]


def labelled_records(user) -> Iterator[dict]:
    """One dict per confirmed record the user may see: the OCR text, what
    extraction proposed and what the clerk confirmed (training and
    evaluation data for the extractor)."""
    records = (
        IntakeRecord.objects.restrict(user, "view")
        .filter(status=RecordStatus.CONFIRMED)
        .select_related("item__original", "organization")
        .order_by("pk")
    )
    for record in records.iterator(chunk_size=200):
        yield {
            "id": record.pk,
            "organization": record.organization.code,
            "file": record.item.original_name,
            "sha256": record.item.original.sha256,
            "text": record.item.text[:MAX_TEXT],
            "extracted": record.extracted,
            "proposed": record.proposed,
            "final": record.final,
            "corrected": sorted(record.corrected),
            "document": record.document_id,
            "reviewed_at": (
                record.reviewed_at.isoformat() if record.reviewed_at else None
            ),
        }

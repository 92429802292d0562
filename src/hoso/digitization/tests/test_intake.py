"""Scan intake, OCR and the review queue.

The OCR tests run the real OCRmyPDF and Tesseract (vie+eng) on generated
scans: Vietnamese text rendered at 300 dpi on an A4 page. OCR noise is
allowed for: words are compared accent-folded and lowercase.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hoso.accounts.models import Position, Role
from hoso.core.models import AuditEntry
from hoso.core.testing.factories import PersonFactory
from hoso.digitization import ocr, scans, services
from hoso.digitization.choices import BatchStatus, ItemStatus, RecordStatus
from hoso.digitization.models import IntakeRecord, ScanBatch, ScanItem
from hoso.digitization.tests import scanpages
from hoso.documents import storage
from hoso.documents.models import Attachment, CaseFile, DocumentType

# Fixtures ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the product speaks Vietnamese
    first)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def staff(tree):
    """A clerk and a specialist in commune A, a clerk in commune B, an
    inspector at the province."""

    def person(role, org):
        p = PersonFactory()
        Position.objects.create(
            person=p, organization=org, role=Role.objects.get(code=role)
        )
        return p.user

    return {
        "clerk_a": person("clerk", tree["a"]),
        "specialist_a": person("specialist", tree["a"]),
        "clerk_b": person("clerk", tree["b"]),
        "inspector_p": person("inspector", tree["province"]),
        "member_a": person("member", tree["a"]),
    }


def words(text: str) -> set[str]:
    """Accent-folded lowercase tokens, punctuation trimmed."""
    return {
        token.strip(".,:;()\"'“”")
        for token in ocr.fold(text).split()
        if token.strip(".,:;()\"'“”")
    }


def fake_done_item(batch_org, user, *, text=None, pages=1) -> ScanItem:
    """A finished item without running OCR (for review tests): the image
    PDF stands in for the searchable one."""
    batch = services.create_batch(
        batch_org, [("scan.png", scanpages.png_bytes())], acting_user=user
    )
    item = batch.items.get()
    item.searchable = storage.store_file(
        scanpages.pdf_bytes(), name="scan.pdf", classified=False
    )
    item.text = text if text is not None else scanpages.plain_text()
    item.status = ItemStatus.DONE
    item.pages = item.pages_done = pages
    item.method = "ocr"
    item.save()
    services.refresh_batch(batch.pk)
    services.open_record(item)
    return item


def make_zip(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16  # a symbolic link
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


# OCR (Tesseract really runs) -------------------------------------------------


@pytest.mark.slow
def test_png_scan_becomes_searchable_pdfa_with_text(tree, staff, capsys):
    """GIVEN a clean 300-dpi A4 PNG scan of a Vietnamese resolution
    WHEN it is uploaded and its OCR job runs
    THEN the untouched original is kept, a PDF/A with the text is stored
    beside it, the page needed no clean-up, and a record waits for review."""
    import pikepdf

    png = scanpages.png_bytes()
    batch = services.create_batch(
        tree["a"], [("nq57.png", png)], acting_user=staff["clerk_a"]
    )
    item = batch.items.get()
    assert item.status == ItemStatus.QUEUED and item.pages == 1

    started = time.monotonic()
    result = services.process_item(item.pk)
    elapsed = time.monotonic() - started

    item.refresh_from_db()
    assert result["status"] == ItemStatus.DONE, item.error
    assert item.status == ItemStatus.DONE
    assert item.pages_done == 1
    assert item.method == "ocr"
    assert item.needed_cleanup is False
    # The original is untouched; the searchable file is a new PDF/A.
    assert storage.read_file(item.original) == png
    pdf = storage.read_file(item.searchable)
    assert pdf.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.open_metadata().pdfa_status.startswith("2")
    found = words(item.text)
    missing = scanpages.EXPECTED_WORDS - found
    assert not missing, f"OCR missed {missing} in {item.text!r}"
    # The batch is finished and the record waits in the queue.
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert (batch.done_count, batch.pages_done) == (1, 1)
    record = IntakeRecord.objects.get(item=item)
    assert record.status == RecordStatus.PENDING
    assert record.organization == tree["a"]
    assert record.proposed["page_count"] == 1
    with capsys.disabled():
        print(
            f"\nOCR of one clean 300-dpi A4 page: {item.ocr_seconds:.2f} s wall "
            f"({item.cpu_seconds:.2f} s CPU); job with extraction {elapsed:.2f} s"
        )


@pytest.mark.slow
def test_multipage_pdf_cleans_up_only_the_poor_page(tree, staff, monkeypatch):
    """GIVEN an image-only PDF scan whose second page is upside down
    WHEN it is OCRed
    THEN only page 2 goes through deskew/clean/rotate, both pages read well,
    and progress is reported page by page."""
    upright = scanpages.page_image()
    upside_down = scanpages.page_image(rotate=180)
    batch = services.create_batch(
        tree["a"],
        [("two-pages.pdf", scanpages.pdf_bytes(upright, upside_down))],
        acting_user=staff["clerk_a"],
    )
    item = batch.items.get()
    assert item.pages == 2
    reported = []
    original_process = ocr.process

    def spy(*args, on_page=None, **kwargs):
        def report(pages):
            reported.append(pages)
            on_page(pages)

        return original_process(*args, on_page=report, **kwargs)

    monkeypatch.setattr(ocr, "process", spy)
    services.process_item(item.pk)

    item.refresh_from_db()
    assert item.status == ItemStatus.DONE, item.error
    assert reported == [1, 2]
    assert item.needed_cleanup is True
    assert item.cleaned_pages == [2]
    missing = scanpages.EXPECTED_WORDS - words(item.text)
    assert len(missing) <= 1, missing
    # Both pages carry text in the searchable PDF.
    texts = ocr.pdf_text_pages(_materialize(item.searchable), 2)
    for text in texts:
        assert ocr.text_quality(text) > ocr.QUALITY_THRESHOLD, texts


def _materialize(stored):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "file.pdf"
    path.write_bytes(storage.read_file(stored))
    return path


@pytest.mark.slow
def test_multipage_tiff_and_jpeg_are_read(tree, staff):
    """TIFF (two frames, group 4) and JPEG scans are OCRed too."""
    batch = services.create_batch(
        tree["a"],
        [
            (
                "box1.tif",
                scanpages.tiff_bytes(scanpages.page_image(), scanpages.page_image()),
            ),
            ("photo.jpg", scanpages.jpeg_bytes()),
        ],
        acting_user=staff["clerk_a"],
    )
    items = list(batch.items.order_by("position"))
    assert [item.pages for item in items] == [2, 1]
    for item in items:
        services.process_item(item.pk)
        item.refresh_from_db()
        assert item.status == ItemStatus.DONE, item.error
        assert {"nghi", "quyet", "khanh"} <= words(item.text)


def test_pdf_with_a_text_layer_is_not_ocred(tree, staff, monkeypatch):
    """A born-digital PDF keeps its own text: Tesseract is not run."""
    calls = []
    monkeypatch.setattr(
        ocr, "_run", lambda *args, **kwargs: calls.append(kwargs) or _fail_pdfa()
    )
    batch = services.create_batch(
        tree["a"],
        [("digital.pdf", scanpages.text_pdf_bytes())],
        acting_user=staff["clerk_a"],
    )
    item = batch.items.get()
    services.process_item(item.pk)
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE, item.error
    assert item.method == "embedded"
    assert "ĐẢNG BỘ TỈNH KHÁNH HÒA" in item.text
    # Only the PDF/A conversion was attempted, never a forced OCR.
    assert all(call.get("mode") == "skip" for call in calls)
    # Without a PDF/A copy the original is the searchable file.
    assert item.searchable_id == item.original_id


def _fail_pdfa():
    raise ocr.OcrError("no PDF/A")


def test_text_quality_tells_text_from_noise():
    good = "Ban Thường vụ Tỉnh ủy quyết nghị đẩy mạnh chuyển đổi số, Số 57-NQ/TU"
    noise = "‘Aeu ygAnb tybu ony werybu ưộr ony] 2n2 01 RA 1911 uenb Bượp onyo"
    assert ocr.text_quality(good) > 0.95
    assert ocr.text_quality(noise) < ocr.QUALITY_THRESHOLD
    assert ocr.text_quality("a b") is None


# Intake: files, archives, refusals ---------------------------------------------


def test_zip_batch_expands_scans_and_queues_one_job_each(
    tree, staff, django_capture_on_commit_callbacks
):
    """GIVEN a ZIP with a PNG and a PDF in folders (and macOS junk)
    WHEN it is uploaded
    THEN the batch has two items, and two OCR jobs are queued on commit."""
    from django_tasks_db.models import DBTaskResult

    archive = make_zip(
        {
            "hop-1/trang-1.png": scanpages.png_bytes(),
            "hop-1/trang-2.pdf": scanpages.pdf_bytes(),
            "__MACOSX/hop-1/._trang-1.png": b"\x00\x05\x16\x07junk",
        }
    )
    before = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.create_batch(
            tree["a"], [("hop-1.zip", archive)], acting_user=staff["clerk_a"]
        )
    items = list(batch.items.order_by("position"))
    assert [item.original_name for item in items] == ["trang-1.png", "trang-2.pdf"]
    assert [item.content_type for item in items] == [storage.PNG, storage.PDF]
    assert batch.item_count == 2 and batch.page_count == 2
    assert batch.status == BatchStatus.QUEUED
    assert DBTaskResult.objects.count() - before == 2
    assert AuditEntry.objects.filter(action="digitization.batch_created").exists()


@pytest.mark.parametrize(
    "entry",
    [
        "../evil.png",
        "hop/../../evil.png",
        "/etc/evil.png",
        "C:/evil.png",
        "..\\evil.png",
    ],
)
def test_zip_with_path_traversal_is_refused(tree, staff, entry):
    archive = make_zip({"ok.png": scanpages.png_bytes(), entry: scanpages.png_bytes()})
    with pytest.raises(ValidationError) as caught:
        services.create_batch(
            tree["a"], [("evil.zip", archive)], acting_user=staff["clerk_a"]
        )
    assert "leaves the archive" in " ".join(caught.value.messages)
    assert not ScanBatch.objects.exists()
    assert not ScanItem.objects.exists()


def test_zip_with_a_symlink_is_refused(tree, staff):
    archive = make_zip({"ok.png": scanpages.png_bytes()}, symlink="link.png")
    with pytest.raises(ValidationError, match="symbolic link"):
        services.create_batch(
            tree["a"], [("evil.zip", archive)], acting_user=staff["clerk_a"]
        )
    assert not ScanBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", "Ghi chú, không phải bản quét".encode()),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("fake.png", b"%!PS-Adobe-3.0 not an image"),
    ],
)
def test_files_that_are_not_scans_are_refused(tree, staff, name, data):
    with pytest.raises(ValidationError) as caught:
        services.create_batch(
            tree["a"],
            [("good.png", scanpages.png_bytes()), (name, data)],
            acting_user=staff["clerk_a"],
        )
    assert name in " ".join(caught.value.messages)
    assert not ScanBatch.objects.exists()


def test_archive_refusals(tree, staff, settings):
    """Nested archives, non-scans inside, damaged files and too many files."""
    user = staff["clerk_a"]
    nested = make_zip({"inner.zip": make_zip({"a.png": scanpages.png_bytes()})})
    with pytest.raises(ValidationError, match="archives inside archives"):
        services.create_batch(tree["a"], [("n.zip", nested)], acting_user=user)
    text_inside = make_zip({"a.png": scanpages.png_bytes(), "b.txt": b"hello"})
    with pytest.raises(ValidationError, match="b.txt"):
        services.create_batch(tree["a"], [("t.zip", text_inside)], acting_user=user)
    damaged = scanpages.pdf_bytes()[:400]
    with pytest.raises(ValidationError, match="damaged"):
        services.create_batch(tree["a"], [("d.pdf", damaged)], acting_user=user)
    settings.INTAKE_MAX_FILES = 2
    many = make_zip({f"{n}.png": scanpages.png_bytes() for n in range(3)})
    with pytest.raises(ValidationError, match="limit is 2"):
        services.create_batch(tree["a"], [("m.zip", many)], acting_user=user)
    with pytest.raises(ValidationError):
        services.create_batch(tree["a"], [], acting_user=user)
    assert not ScanBatch.objects.exists()


def test_only_permitted_users_create_batches(tree, staff):
    with pytest.raises(PermissionDenied):
        services.create_batch(
            tree["a"], [("a.png", scanpages.png_bytes())], acting_user=staff["clerk_b"]
        )
    with pytest.raises(PermissionDenied):
        services.create_batch(
            tree["a"], [("a.png", scanpages.png_bytes())], acting_user=staff["member_a"]
        )


def test_clean_name_strips_paths_and_control_characters():
    assert scans.clean_name("../../etc/passwd") == "passwd"
    assert scans.clean_name("C:\\scans\\trang 1.png") == "trang 1.png"
    assert scans.clean_name("a\x00b\nc.png") == "abc.png"
    assert scans.clean_name("") == "scan"


# The job: idempotence, failure, retry --------------------------------------------


def test_failed_item_keeps_the_error_and_can_be_retried(
    tree, staff, monkeypatch, django_capture_on_commit_callbacks
):
    """GIVEN an item whose OCR fails
    WHEN the job runs
    THEN the item is failed with the error, the batch says so; a retry
    queues it again, and the next run completes it."""
    batch = services.create_batch(
        tree["a"], [("a.png", scanpages.png_bytes())], acting_user=staff["clerk_a"]
    )
    item = batch.items.get()

    def broken(*args, **kwargs):
        raise ocr.OcrError("Tesseract crashed")

    monkeypatch.setattr(ocr, "process", broken)
    assert services.process_item(item.pk)["status"] == ItemStatus.FAILED
    item.refresh_from_db()
    batch.refresh_from_db()
    assert item.status == ItemStatus.FAILED and "Tesseract crashed" in item.error
    assert batch.status == BatchStatus.FAILED and batch.failed_count == 1
    # A failed item is not taken again without a retry.
    assert services.process_item(item.pk) == {"item": item.pk, "skipped": "failed"}
    with pytest.raises(ValidationError):
        services.retry_item(
            ScanItem.objects.create(
                batch=batch, original=item.original, original_name="x", pages=1
            ),
            acting_user=staff["clerk_a"],
        )
    with pytest.raises(ScanItem.DoesNotExist):
        services.retry_item(item, acting_user=staff["clerk_b"])
    with django_capture_on_commit_callbacks() as callbacks:
        services.retry_item(item, acting_user=staff["clerk_a"])
    assert callbacks  # the job is enqueued after the commit
    item.refresh_from_db()
    assert item.status == ItemStatus.QUEUED and item.error == ""

    monkeypatch.setattr(ocr, "process", _fake_process)
    assert services.process_item(item.pk)["status"] == ItemStatus.DONE
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.attempts == 2
    # Done is done: running the job again changes nothing.
    assert services.process_item(item.pk) == {"item": item.pk, "skipped": "done"}
    assert IntakeRecord.objects.filter(item=item).count() == 1


def _fake_process(source, content_type, workdir, *, pages, on_page=None):
    """Stands in for OCR when the test is about the job, not Tesseract."""
    output = workdir / "out.pdf"
    output.write_bytes(scanpages.pdf_bytes())
    if on_page:
        on_page(pages)
    return ocr.OcrResult(
        output=output,
        text="Số 57-NQ/TU NGHỊ QUYẾT về chuyển đổi số",
        page_texts=["Số 57-NQ/TU NGHỊ QUYẾT về chuyển đổi số"],
        pages=pages,
        method="ocr",
        quality=1.0,
    )


def test_abandoned_item_is_taken_again(tree, staff, monkeypatch):
    """A worker that died mid-way leaves "processing": after the stale limit
    another run takes the item (and `requeue_abandoned` queues it)."""
    from datetime import timedelta

    from django.utils import timezone

    batch = services.create_batch(
        tree["a"], [("a.png", scanpages.png_bytes())], acting_user=staff["clerk_a"]
    )
    item = batch.items.get()
    ScanItem.objects.filter(pk=item.pk).update(
        status=ItemStatus.PROCESSING, started_at=timezone.now()
    )
    assert services.process_item(item.pk)["skipped"] == "processing"
    ScanItem.objects.filter(pk=item.pk).update(
        started_at=timezone.now() - timedelta(hours=2)
    )
    assert services.requeue_abandoned() == 1
    monkeypatch.setattr(ocr, "process", _fake_process)
    assert services.process_item(item.pk)["status"] == ItemStatus.DONE


# Review ------------------------------------------------------------------------


def test_review_confirm_registers_the_document_with_its_text(client, tree, staff):
    """GIVEN a read scan waiting for review
    WHEN the clerk corrects the excerpt and confirms with a case file
    THEN an incoming document is registered with an arrival number, the
    searchable PDF as main file carrying the OCR text, the original as the
    second file; it is filed; the correction is kept as labelled data."""
    clerk = staff["clerk_a"]
    case_file = CaseFile.objects.create(
        organization=tree["a"],
        year=date.today().year,
        code="01",
        title="Nghị quyết của Tỉnh ủy về chuyển đổi số",
    )
    item = fake_done_item(tree["a"], clerk)
    record = item.record
    client.force_login(clerk)
    page = client.get(reverse("digitization:record", args=[record.pk]))
    assert page.status_code == 200
    assert "ĐẢNG BỘ TỈNH KHÁNH HÒA" in page.content.decode()
    form = page.context["form"]
    data = {
        name: ("" if value is None else value) for name, value in form.initial.items()
    }
    nq = DocumentType.objects.get(system="party", code="NQ")
    data.update(
        doc_type=nq.pk,
        symbol="57-nq/tu",
        issuer_name="Tỉnh ủy Khánh Hòa",
        excerpt="Về chuyển đổi số trong các cơ quan đảng của tỉnh",
        issued_date="2025-03-15",
        urgency=0,
        secrecy=0,
        case_file=case_file.pk,
    )
    response = client.post(reverse("digitization:record", args=[record.pk]), data)
    assert response.status_code == 302, (
        response.context and response.context["form"].errors
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED
    document = record.document
    assert document.arrival_number == 1
    assert document.symbol == "57-NQ/TU"
    assert document.doc_type == nq
    assert document.page_count == 1
    attachments = list(document.attachments.select_related("stored_file"))
    assert [a.is_main for a in attachments] == [True, False]
    main, original = attachments
    assert main.stored_file.sha256 == item.searchable.sha256
    assert original.stored_file.sha256 == item.original.sha256
    assert original.name == "scan.png"
    assert "chuyển đổi số" in Attachment.objects.get(pk=main.pk).text
    assert case_file.documents.filter(pk=document.pk).exists()
    assert record.case_file == case_file
    assert record.final["symbol"] == "57-NQ/TU"
    assert record.final["doc_type"] == "party:NQ"
    assert "excerpt" in record.corrected
    assert record.corrected["excerpt"]["final"].startswith("Về chuyển đổi số")
    assert AuditEntry.objects.filter(action="digitization.record_confirmed").exists()
    # Confirming twice is refused.
    with pytest.raises(ValidationError):
        services.confirm_record(record, acting_user=clerk, fields=record.final)

    # The labelled-data export has the text, the proposal and the final fields.
    export = client.get(reverse("digitization:labels"))
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["final"]["excerpt"].startswith("Về chuyển đổi số")
    assert "excerpt" in entry["corrected"]
    assert "KHÁNH HÒA" in entry["text"]
    assert set(entry["extracted"]) <= set(services.EXTRACTED_KEYS) | {"file"}


def test_unchanged_confirmation_records_no_corrections(tree, staff):
    clerk = staff["clerk_a"]
    item = fake_done_item(tree["a"], clerk)
    record = item.record
    record.proposed = {
        **record.proposed,
        "doc_type": "party:NQ",
        "symbol": "57-NQ/TU",
        "issuer_name": "Tỉnh ủy Khánh Hòa",
        "excerpt": "Về chuyển đổi số",
    }
    record.save()
    from hoso.digitization.forms import ReviewForm, initial_values

    form = ReviewForm(
        data={k: ("" if v is None else v) for k, v in initial_values(record).items()},
        user=clerk,
        record=record,
    )
    assert form.is_valid(), form.errors
    services.confirm_record(record, acting_user=clerk, fields=form.metadata())
    record.refresh_from_db()
    assert record.corrected == {}
    assert record.document.arrival_number


def test_confirming_a_rescanned_document_flags_the_duplicate(tree, staff):
    """GIVEN a scanned document already confirmed in commune A
    WHEN the clerk confirms a second scan of the same page
    THEN the archive's duplicates report pairs the two documents, and the
    confirmation's audit entry names the earlier one."""
    from hoso.archive.models import DuplicateFlag

    clerk = staff["clerk_a"]
    nq = DocumentType.objects.get(system="party", code="NQ")
    fields = {"doc_type": nq, "issuer_name": "Tỉnh ủy", "excerpt": "Về số hóa"}
    first = services.confirm_record(
        fake_done_item(tree["a"], clerk).record, acting_user=clerk, fields=fields
    )
    assert not DuplicateFlag.objects.exists()
    record = fake_done_item(tree["a"], clerk).record
    second = services.confirm_record(record, acting_user=clerk, fields=fields)
    flag = DuplicateFlag.objects.get()
    assert {flag.document_id, flag.other_id} == {first.pk, second.pk}
    entry = (
        AuditEntry.objects.filter(action="digitization.record_confirmed")
        .order_by("pk")
        .last()
    )
    assert entry.changes["duplicates"] == [None, [first.pk]]


def test_duplicates_in_another_organization_are_not_flagged(tree, staff):
    """Duplicates are looked for within the organization's own archive."""
    from hoso.archive.models import DuplicateFlag

    nq = DocumentType.objects.get(system="party", code="NQ")
    fields = {"doc_type": nq, "issuer_name": "Tỉnh ủy", "excerpt": "Về số hóa"}
    for clerk, org in ((staff["clerk_a"], tree["a"]), (staff["clerk_b"], tree["b"])):
        record = fake_done_item(org, clerk).record
        services.confirm_record(record, acting_user=clerk, fields=fields)
    assert not DuplicateFlag.objects.exists()


def test_specialist_confirmation_lands_in_the_inbox(tree, staff):
    """A specialist may review but not register: the document waits in the
    clerk's inbox (received, no arrival number)."""
    item = fake_done_item(tree["a"], staff["clerk_a"])
    nq = DocumentType.objects.get(system="party", code="NQ")
    document = services.confirm_record(
        item.record,
        acting_user=staff["specialist_a"],
        fields={
            "doc_type": nq,
            "issuer_name": "Tỉnh ủy",
            "excerpt": "Về chuyển đổi số",
        },
    )
    assert document.status == "received" and document.arrival_number is None


def test_reject_takes_the_record_out_of_the_queue(client, tree, staff):
    item = fake_done_item(tree["a"], staff["clerk_a"])
    client.force_login(staff["clerk_a"])
    response = client.post(
        reverse("digitization:record-reject", args=[item.record.pk]),
        {"reason": "Trang trắng"},
    )
    assert response.status_code == 302
    item.record.refresh_from_db()
    assert item.record.status == RecordStatus.REJECTED
    assert item.record.reason == "Trang trắng"
    assert not services.pending_records(staff["clerk_a"]).exists()


def test_case_file_suggestion_learns_from_confirmations(tree, staff):
    """The clerk's past filing of the same type from the same issuer wins
    over word overlap with the file titles."""
    clerk = staff["clerk_a"]
    year = date.today().year
    resolutions = CaseFile.objects.create(
        organization=tree["a"], year=year, code="01", title="Văn bản cấp trên gửi đến"
    )
    CaseFile.objects.create(
        organization=tree["a"], year=year, code="02", title="Báo cáo chuyển đổi số"
    )
    proposed = {
        "doc_type": "party:NQ",
        "issuer_name": "Tỉnh ủy Khánh Hòa",
        "excerpt": "Về chuyển đổi số",
        "issued_date": None,
    }
    first = services.suggest_case_file(tree["a"], proposed)
    assert first is not None and first.code == "02"  # words: chuyển đổi số
    item = fake_done_item(tree["a"], clerk)
    nq = DocumentType.objects.get(system="party", code="NQ")
    services.confirm_record(
        item.record,
        acting_user=clerk,
        fields={
            "doc_type": nq,
            "issuer_name": "Tỉnh ủy Khánh Hòa",
            "excerpt": "Về chuyển đổi số",
        },
        case_file=resolutions,
    )
    assert services.suggest_case_file(tree["a"], proposed) == resolutions


def test_first_page_is_read_again_only_when_a_field_is_missing():
    """GIVEN the OCR job's reading of a first page
    WHEN it gives every field a first page prints
    THEN the page is not read again; when one is missing, the second
    reading's fields win and the first fills what the second left out."""
    full = scanpages.plain_text()

    def never():
        raise AssertionError("a complete first reading is not read again")

    fields = services.first_page_fields(full, reread=never)
    assert fields["symbol"] == "57-NQ/TU" and fields["signer"] == "Nguyễn Hải Ninh"
    # The first reading lost the signature block and the marks.
    rows = scanpages.RESOLUTION_57
    partial_text = scanpages.plain_text(rows[:12])
    second = scanpages.plain_text([*rows[:3], [(0, "MẬT", True)], *rows[3:]])
    readings = []

    def reread():
        readings.append(1)
        return second

    fields = services.first_page_fields(partial_text, reread=reread)
    assert readings == [1]
    assert fields["signer"] == "Nguyễn Hải Ninh"
    assert fields["secrecy"] == "MẬT"
    # A failing second reading leaves the first one's fields.
    fields = services.first_page_fields(partial_text, reread=lambda: 1 / 0)
    assert fields["symbol"] == "57-NQ/TU" and fields["signer"] is None


def test_proposal_maps_extracted_fields(tree, staff):
    item = fake_done_item(tree["a"], staff["clerk_a"])
    proposed = services.propose(
        {
            "symbol": "Số: 57-nq/tu",
            "type": "Nghị quyết",
            "issued_on": "2025-03-15",
            "issuer": "TỈNH ỦY KHÁNH HÒA",
            "excerpt": "về chuyển đổi số",
            "signer": "Nguyễn Hải Ninh",
            "secrecy": "MẬT",
            "urgency": "THƯỢNG KHẨN",
        },
        item,
    )
    assert proposed["symbol"] == "57-NQ/TU"
    assert proposed["number"] == 57
    assert proposed["doc_type"] == "party:NQ"
    assert proposed["issued_date"] == "2025-03-15"
    assert (proposed["secrecy"], proposed["urgency"]) == (1, 2)
    # An impossible date (OCR misread) is dropped, not trusted.
    assert services.propose({"issued_on": "2925-03-15"}, item)["issued_date"] is None


# Pages, progress and permissions ---------------------------------------------------


def test_upload_page_creates_a_batch(client, tree, staff):
    client.force_login(staff["clerk_a"])
    response = client.get(reverse("digitization:upload"))
    assert response.status_code == 200
    response = client.post(
        reverse("digitization:upload"),
        {
            "organization": tree["a"].pk,
            "name": "Hộp 12",
            "secrecy": 0,
            "files": [
                SimpleUploadedFile("a.png", scanpages.png_bytes(), "image/png"),
                SimpleUploadedFile(
                    "b.zip",
                    make_zip({"c.pdf": scanpages.pdf_bytes()}),
                    "application/zip",
                ),
            ],
        },
    )
    batch = ScanBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == batch.get_absolute_url()
    assert batch.name == "Hộp 12" and batch.item_count == 2
    # A refused upload shows the reason on the form.
    response = client.post(
        reverse("digitization:upload"),
        {
            "organization": tree["a"].pk,
            "secrecy": 0,
            "files": [SimpleUploadedFile("x.txt", b"plain text", "text/plain")],
        },
    )
    assert response.status_code == 200
    assert "x.txt" in response.content.decode()
    assert ScanBatch.objects.count() == 1


def test_progress_fragment_polls_until_the_batch_is_done(
    client, tree, staff, monkeypatch
):
    batch = services.create_batch(
        tree["a"], [("a.png", scanpages.png_bytes())], acting_user=staff["clerk_a"]
    )
    client.force_login(staff["clerk_a"])
    url = reverse("digitization:batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="batch-progress"')
    assert 'hx-trigger="every 2s"' in fragment
    monkeypatch.setattr(ocr, "process", _fake_process)
    services.process_item(batch.items.get().pk)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment
    assert 'data-status="done"' in fragment


def test_lists_and_pages_render(client, tree, staff):
    item = fake_done_item(tree["a"], staff["clerk_a"])
    client.force_login(staff["clerk_a"])
    for url in (
        reverse("digitization:batch-list"),
        reverse("digitization:review"),
        reverse("digitization:batch", args=[item.batch_id]),
        reverse("digitization:record", args=[item.record.pk]),
    ):
        assert client.get(url).status_code == 200, url
    queue = client.get(reverse("digitization:review"))
    assert item.record in list(queue.context["table"].data)
    # The home page lists the scans waiting for the clerk's review.
    from hoso.core import waiting

    assert [
        (count, url)
        for _label, count, url in waiting.items_for(staff["clerk_a"])
        if url == reverse("digitization:review")
    ] == [(1, reverse("digitization:review"))]
    preview = client.get(reverse("digitization:item-preview", args=[item.pk]))
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    original = client.get(reverse("digitization:item-file", args=[item.pk, "original"]))
    assert b"".join(original.streaming_content) == storage.read_file(item.original)
    assert original["Content-Disposition"].startswith("attachment")
    # The inspector of the province sees the queue but cannot confirm.
    client.force_login(staff["inspector_p"])
    page = client.get(reverse("digitization:record", args=[item.record.pk]))
    assert page.status_code == 200 and page.context["form"] is None


def test_another_communes_clerk_gets_404(client, tree, staff):
    """Batches, files and records of commune A are invisible to commune B's
    clerk: every page and API endpoint answers 404."""
    item = fake_done_item(tree["a"], staff["clerk_a"])
    record = item.record
    client.force_login(staff["clerk_b"])
    for url in (
        reverse("digitization:batch", args=[item.batch_id]),
        reverse("digitization:record", args=[record.pk]),
        reverse("digitization:item-preview", args=[item.pk]),
        reverse("digitization:item-file", args=[item.pk, "original"]),
        f"/api/v1/intake/batches/{item.batch_id}",
        f"/api/v1/intake/records/{record.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("digitization:record", args=[record.pk]),
        reverse("digitization:record-reject", args=[record.pk]),
        reverse("digitization:item-retry", args=[item.pk]),
    ):
        assert client.post(url, {}).status_code in (404, 302), url
    response = client.post(
        f"/api/v1/intake/records/{record.pk}/confirm",
        {"excerpt": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert (
        client.post(
            f"/api/v1/intake/records/{record.pk}/reject",
            {},
            content_type="application/json",
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/intake/records").json()["items"]
    assert record.pk not in {entry["id"] for entry in listed}
    queue = client.get(reverse("digitization:review"))
    assert record not in list(queue.context["table"].data)
    lines = b"".join(client.get(reverse("digitization:labels")).streaming_content)
    assert lines == b""
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING


# API ---------------------------------------------------------------------------


def test_api_batch_progress_review_and_confirm(client, tree, staff, monkeypatch):
    clerk = staff["clerk_a"]
    client.force_login(clerk)
    response = client.post(
        "/api/v1/intake/batches",
        {
            "organization": tree["a"].pk,
            "name": "API",
            "files": [SimpleUploadedFile("a.png", scanpages.png_bytes(), "image/png")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["source"] == "api" and body["items"][0]["status"] == "queued"
    bad = client.post(
        "/api/v1/intake/batches",
        {
            "organization": tree["a"].pk,
            "files": [SimpleUploadedFile("a.txt", b"text", "text/plain")],
        },
    )
    assert bad.status_code == 422 and "a.txt" in bad.content.decode()

    monkeypatch.setattr(ocr, "process", _fake_process)
    services.process_item(body["items"][0]["id"])
    progress = client.get(f"/api/v1/intake/batches/{body['id']}").json()
    assert progress["status"] == "done" and progress["percent"] == 100
    assert progress["items"][0]["pages_done"] == 1
    record_id = progress["items"][0]["record"]

    pending = client.get("/api/v1/intake/records", {"status": "pending"}).json()
    assert [entry["id"] for entry in pending["items"]] == [record_id]
    nq = DocumentType.objects.get(system="party", code="NQ")
    invalid = client.post(
        f"/api/v1/intake/records/{record_id}/confirm",
        {"doc_type": nq.pk, "issuer_name": "Tỉnh ủy", "excerpt": ""},
        content_type="application/json",
    )
    assert invalid.status_code == 422
    assert "excerpt" in {error["field"] for error in invalid.json()["detail"]}
    confirmed = client.post(
        f"/api/v1/intake/records/{record_id}/confirm",
        {
            "doc_type": nq.pk,
            "symbol": "57-NQ/TU",
            "issuer_name": "Tỉnh ủy Khánh Hòa",
            "excerpt": "Về chuyển đổi số",
        },
        content_type="application/json",
    )
    assert confirmed.status_code == 200, confirmed.content
    data = confirmed.json()
    assert data["status"] == "confirmed" and data["document"]
    document = client.get(f"/api/v1/documents/{data['document']}").json()
    assert document["arrival_number"] == 1
    assert len(document["attachments"]) == 2
    again = client.post(
        f"/api/v1/intake/records/{record_id}/reject",
        {"reason": "x"},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert (
        client.get("/api/v1/intake/records", {"status": "pending"}).json()["count"] == 0
    )


# The watched folder --------------------------------------------------------------


def test_watched_folder_imports_once_and_sets_aside_bad_files(tmp_path, tree, staff):
    from django.core.management import call_command

    folder = tmp_path / "scanner"
    folder.mkdir()
    (folder / "trang-1.png").write_bytes(scanpages.png_bytes())
    (folder / "ghi-chu.txt").write_text("không phải bản quét")
    (folder / "dang-ghi.png.part").write_bytes(b"half")
    out = io.StringIO()
    args = [
        "intake",
        "watch",
        str(folder),
        "--organization",
        tree["a"].code,
        "--user",
        staff["clerk_a"].username,
        "--once",
        "--settle",
        "0.2",
    ]
    call_command(*args, stdout=out, stderr=io.StringIO())
    batch = ScanBatch.objects.get()
    assert batch.source == "watch" and batch.item_count == 1
    assert (folder / "processed" / "trang-1.png").exists()
    assert (folder / "rejected" / "ghi-chu.txt").exists()
    assert (folder / "rejected" / "ghi-chu.txt.error.txt").exists()
    assert (folder / "dang-ghi.png.part").exists()  # still being written
    # The same content dropped again, under another name, is not re-imported.
    (folder / "copy-of-trang-1.png").write_bytes(scanpages.png_bytes())
    call_command(*args, stdout=out, stderr=io.StringIO())
    assert ScanBatch.objects.count() == 1
    assert (folder / "processed" / "copy-of-trang-1.png").exists()
    assert "imported before" in out.getvalue()
    assert re.search(r"batch \d+: 1 files", out.getvalue())


@pytest.mark.parametrize(
    ("size", "dpi", "expected"),
    [
        ((2480, 3508), (300, 300), {}),
        ((2480, 3508), None, {"image_dpi": 300}),
        ((3000, 4000), (72, 72), {"image_dpi": 342}),
        ((850, 1100), (100, 100), {}),
        ((600, 800), None, {"image_dpi": 150}),
    ],
)
def test_image_resolution_is_believed_or_estimated(tmp_path, size, dpi, expected):
    from PIL import Image

    path = tmp_path / "scan.png"
    options = {"dpi": dpi} if dpi else {}
    Image.new("L", size, 255).save(path, **options)
    assert ocr._image_options(path) == expected

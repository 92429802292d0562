"""Content-addressed file storage, encryption at rest, and watermarks."""

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from hoso.documents import storage
from hoso.documents.models import StoredFile
from hoso.documents.storage import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    TEXT,
    TIFF,
    XLSX,
    FileCorrupt,
    FileMissing,
    FileRejected,
    collect_garbage,
    file_path,
    open_for_download,
    read_file,
    rotate_keys,
    sniff_content_type,
    store_file,
    verify_all,
)
from hoso.documents.watermark import watermark_pdf

SECRET_TEXT = "Nghị quyết tuyệt mật số 57 về chuyển đổi số".encode()


@pytest.fixture(autouse=True)
def file_settings(settings, tmp_path):
    """Each test stores into its own directory with a known key."""
    settings.FILES_DIR = tmp_path / "files"
    settings.FILE_KEYS = "local:first secret"
    settings.MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    return settings


# --------------------------------------------------------------------------
# Sample files, made here so the tests need no fixtures on disk


def make_pdf(pages: list[tuple[str | tuple[int, int], str]] | None = None) -> bytes:
    """A small PDF; `pages` is a list of (format, orientation)."""
    pdf = FPDF(unit="pt")
    pdf.set_font("helvetica", size=14)
    for number, (page_format, orientation) in enumerate(pages or [("A4", "P")]):
        pdf.add_page(format=page_format, orientation=orientation)
        pdf.text(40, 60, f"Page {number + 1}")
    return bytes(pdf.output())


def make_image(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes], first_stored: str | None = None) -> bytes:
    """A ZIP; `first_stored` names an entry written first and uncompressed
    (how ODF stores its "mimetype")."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first_stored:
            archive.writestr(
                first_stored, entries[first_stored], compress_type=zipfile.ZIP_STORED
            )
        for name, data in entries.items():
            if name != first_stored:
                archive.writestr(name, data)
    return buffer.getvalue()


def make_docx() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )


def make_xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "Chỉ tiêu"
    workbook.save(buffer)
    return buffer.getvalue()


def make_odt() -> bytes:
    return make_zip(
        {"mimetype": ODT.encode(), "content.xml": b"<office:document-content/>"},
        first_stored="mimetype",
    )


ALLOWED_SAMPLES = {
    PDF: make_pdf,
    PNG: lambda: make_image("PNG"),
    JPEG: lambda: make_image("JPEG"),
    TIFF: lambda: make_image("TIFF"),
    DOCX: make_docx,
    XLSX: make_xlsx,
    ODT: make_odt,
    TEXT: lambda: "Công văn số 12/CV-VP\nKính gửi: các chi bộ\n".encode(),
}

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


# --------------------------------------------------------------------------
# Recognizing content


@pytest.mark.parametrize("content_type", list(ALLOWED_SAMPLES))
def test_sniff_recognizes_each_allowed_type(content_type):
    data = ALLOWED_SAMPLES[content_type]()
    assert sniff_content_type(data, "whatever.bin") == content_type
    assert content_type in storage.ALLOWED_TYPES


def test_sniff_reads_zip_local_headers_when_only_the_start_is_given():
    odt = make_odt()
    assert sniff_content_type(odt[:120]) == ODT


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(WINDOWS_PROGRAM, id="exe"),
        pytest.param(b"<!DOCTYPE html><html><body>hi</body></html>", id="html"),
        pytest.param(b"Hello <script>alert(1)</script>", id="script-in-text"),
        pytest.param(make_zip({"notes.txt": b"hello"}), id="plain-zip"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xfeH\x00i\x00", id="utf16"),
        pytest.param("xin chào".encode("cp1258"), id="not-utf8"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="shell-script"),
        pytest.param(make_image("GIF"), id="gif"),
    ],
)
def test_sniff_refuses_other_content(data):
    assert sniff_content_type(data, "innocent.pdf") is None


def test_sniff_ignores_the_name():
    assert sniff_content_type(make_pdf(), "virus.exe") == PDF
    assert sniff_content_type(WINDOWS_PROGRAM, "report.pdf") is None


def test_file_rejected_is_a_validation_error():
    assert issubclass(FileRejected, ValidationError)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (WINDOWS_PROGRAM, "Windows program"),
        (b"<html><body>x</body></html>", "HTML"),
        (make_zip({"a.txt": b"a"}), "is a ZIP archive"),
        (b"", "empty file"),
        (
            make_zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "word/document.xml": b"<w:document/>",
                    "word/vbaProject.bin": b"\x00macro",
                }
            ),
            "macros",
        ),
    ],
)
def test_store_refuses_by_content_naming_the_kind(db, data, kind, settings):
    with pytest.raises(FileRejected) as caught:
        store_file(data, name="report.pdf")
    message = caught.value.messages[0]
    assert kind in message
    assert "report.pdf" in message
    assert not StoredFile.objects.exists()
    assert not _files_on_disk(settings.FILES_DIR)


def test_text_must_be_utf8_to_the_end(db, settings):
    """The head looks like text; a bad byte far beyond it still refuses."""
    data = "Văn bản hợp lệ. ".encode() * 10_000 + b"\xff tail"
    with pytest.raises(FileRejected, match="UTF-8"):
        store_file(data, name="notes.txt")
    assert not _files_on_disk(settings.FILES_DIR)


def test_text_with_characters_split_across_chunks(db):
    """Multi-byte characters straddling chunk boundaries are valid UTF-8."""
    data = "ệ".encode() * (storage.CHUNK_BYTES + 7)
    stored = store_file(io.BytesIO(data), name="long.txt")
    assert stored.content_type == TEXT
    assert read_file(stored) == data


# --------------------------------------------------------------------------
# Size limit


def test_size_limit_names_the_limit(db, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(FileRejected) as caught:
        store_file(b"a" * 1001, name="big.txt")
    assert caught.value.code == "file_too_large"
    assert "1000" in caught.value.messages[0] or "KB" in caught.value.messages[0]
    assert not StoredFile.objects.exists()
    assert not _files_on_disk(settings.FILES_DIR)


def test_size_limit_is_inclusive(db, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    assert store_file(b"a" * 1000, name="exact.txt").size == 1000


def test_size_limit_for_classified_streams(db, settings):
    settings.MAX_UPLOAD_BYTES = 100_000
    with pytest.raises(FileRejected):
        store_file(OneWayStream(b"b" * 200_000), name="big.txt", classified=True)
    assert not _files_on_disk(settings.FILES_DIR)


def test_declared_upload_size_is_refused_before_reading(db, settings):
    settings.MAX_UPLOAD_BYTES = 10

    class Upload(io.BytesIO):
        size = 11

    with pytest.raises(FileRejected):
        store_file(Upload(b"x"), name="upload.txt")


# --------------------------------------------------------------------------
# Storing and reading


def test_round_trip(db, settings):
    data = make_pdf()
    stored = store_file(io.BytesIO(data), name="cv.pdf")
    stored.refresh_from_db()
    assert stored.content_type == PDF
    assert stored.size == len(data)
    assert not stored.encrypted
    path = file_path(stored)
    assert path == settings.FILES_DIR / stored.sha256[:2] / stored.sha256[2:4] / (
        stored.sha256
    )
    assert path.read_bytes() == data
    assert read_file(stored) == data
    with open_for_download(stored) as handle:
        assert handle.read() == data
    # No temporary file left behind.
    assert _files_on_disk(settings.FILES_DIR) == [path]


def test_identical_content_is_stored_once(db):
    data = make_image("PNG")
    first = store_file(data, name="a.png")
    inode = file_path(first).stat().st_ino
    second = store_file(io.BytesIO(data), name="b.png")
    assert second.pk == first.pk
    assert StoredFile.objects.count() == 1
    # The existing bytes were not rewritten.
    assert file_path(first).stat().st_ino == inode


def test_plain_and_classified_copies_are_separate_records(db):
    plain = store_file(SECRET_TEXT, name="a.txt")
    secret = store_file(SECRET_TEXT, name="a.txt", classified=True)
    assert plain.pk != secret.pk
    assert secret.encrypted and not plain.encrypted


def test_read_detects_a_changed_plain_file(db):
    stored = store_file(SECRET_TEXT, name="a.txt")
    path = file_path(stored)
    path.write_bytes(SECRET_TEXT.replace(b"57", b"58"))
    with pytest.raises(FileCorrupt):
        read_file(stored)


def test_read_reports_a_missing_file(db):
    stored = store_file(SECRET_TEXT, name="a.txt")
    file_path(stored).unlink()
    with pytest.raises(FileMissing):
        read_file(stored)
    with pytest.raises(FileMissing):
        open_for_download(stored)


def test_path_is_never_built_from_a_bad_hash():
    with pytest.raises(FileCorrupt):
        file_path(StoredFile(sha256="../../etc/passwd", size=1))


# --------------------------------------------------------------------------
# Classified files


class OneWayStream(io.RawIOBase):
    """A stream that cannot seek, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)


@pytest.mark.parametrize("wrap", [bytes, io.BytesIO, OneWayStream])
def test_classified_file_is_encrypted_at_rest(db, settings, wrap):
    stored = store_file(wrap(SECRET_TEXT), name="secret.txt", classified=True)
    assert stored.encrypted
    assert stored.key_id == "local"
    path = file_path(stored)
    assert path.name == f"{stored.sha256}.local.enc"
    blob = path.read_bytes()
    assert blob.startswith(storage.ENC_MAGIC)
    # Nothing on disk holds the plaintext, not even a fragment.
    for on_disk in _files_on_disk(settings.FILES_DIR):
        content = on_disk.read_bytes()
        assert SECRET_TEXT not in content
        assert SECRET_TEXT[:16] not in content
    assert read_file(stored) == SECRET_TEXT
    assert open_for_download(stored) == SECRET_TEXT


def test_classified_identical_content_stored_once(db):
    first = store_file(SECRET_TEXT, name="a.txt", classified=True)
    blob = file_path(first).read_bytes()
    second = store_file(SECRET_TEXT, name="b.txt", classified=True)
    assert second.pk == first.pk
    assert file_path(first).read_bytes() == blob


def test_flipped_byte_in_encrypted_file_is_detected(db):
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    path = file_path(stored)
    blob = bytearray(path.read_bytes())
    blob[len(storage.ENC_MAGIC) + storage.NONCE_BYTES + 3] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(FileCorrupt, match="integrity"):
        read_file(stored)
    assert [pk for pk, _problem in verify_all()] == [stored.pk]


def test_encrypted_blob_is_bound_to_its_hash(db):
    """A blob copied under another file's name does not decrypt (the hash is
    the associated data)."""
    one = store_file(SECRET_TEXT, name="one.txt", classified=True)
    other = store_file(b"Another text", name="other.txt", classified=True)
    file_path(other).write_bytes(file_path(one).read_bytes())
    with pytest.raises(FileCorrupt):
        read_file(other)


def test_rotation_to_a_new_key(db, settings):
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    plain = store_file(b"Public text", name="public.txt")
    old_path = file_path(stored)

    settings.FILE_KEYS = "new:second secret,local:first secret"
    assert rotate_keys() == 1
    stored.refresh_from_db()
    assert stored.key_id == "new"
    assert file_path(stored).name.endswith(".new.enc")
    assert not old_path.exists()
    assert read_file(stored) == SECRET_TEXT
    assert read_file(plain) == b"Public text"
    # Idempotent: nothing left to do.
    assert rotate_keys() == 0

    # Once rotated, the old key can go.
    settings.FILE_KEYS = "new:second secret"
    assert read_file(stored) == SECRET_TEXT
    # New classified files use the first key.
    fresh = store_file(b"Fresh secret", name="fresh.txt", classified=True)
    assert fresh.key_id == "new"


def test_rotation_interrupted_after_writing_completes_on_rerun(db, settings):
    """A crash between writing the new blob and updating the row: the rerun
    rewrites the blob and finishes."""
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    settings.FILE_KEYS = "new:second secret,local:first secret"
    new_path = storage._blob_path(stored.sha256, "new")
    new_path.write_bytes(b"half-written garbage")
    assert rotate_keys() == 1
    stored.refresh_from_db()
    assert read_file(stored) == SECRET_TEXT


def test_stale_row_reads_after_rotation(db, settings):
    """A row loaded before the rotation still reads (refreshed once)."""
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    settings.FILE_KEYS = "new:second secret,local:first secret"
    rotate_keys()
    assert stored.key_id == "local"
    assert read_file(stored) == SECRET_TEXT


def test_concurrent_rotation_does_not_lose_the_file(db, settings, monkeypatch):
    """Another rotation finishes the file while this one is reading it: this
    one must neither count it nor delete the (new) blob."""
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    settings.FILE_KEYS = "new:second secret,local:first secret"
    real_read = storage.read_file
    calls = []

    def read_after_another_rotation(row):
        if not calls:
            calls.append(row.pk)
            monkeypatch.setattr(storage, "read_file", real_read)
            assert rotate_keys() == 1
        return real_read(row)

    monkeypatch.setattr(storage, "read_file", read_after_another_rotation)
    assert rotate_keys() == 0
    stored.refresh_from_db()
    assert stored.key_id == "new"
    assert read_file(stored) == SECRET_TEXT


def test_rotation_reports_files_it_cannot_read(db, settings):
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    file_path(stored).unlink()
    settings.FILE_KEYS = "new:second secret,local:first secret"
    problems = []
    assert rotate_keys(on_problem=lambda row, text: problems.append(row.pk)) == 0
    assert problems == [stored.pk]


def test_unknown_key_is_reported(db, settings):
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    settings.FILE_KEYS = "other:some secret"
    with pytest.raises(storage.FileKeyUnavailable, match="local"):
        read_file(stored)


@pytest.mark.parametrize("keys", ["", "no-secret", "bad id:x", "a:x,a:y"])
def test_malformed_file_keys_fail_loudly(settings, keys):
    from django.core.exceptions import ImproperlyConfigured

    settings.FILE_KEYS = keys
    with pytest.raises(ImproperlyConfigured):
        storage.current_key_id()


# --------------------------------------------------------------------------
# Maintenance


def _files_on_disk(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def _age(path: Path, seconds: int = 7200) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_gc_removes_old_orphans_only(db, settings):
    kept = store_file(b"Referenced", name="kept.txt")
    kept_secret = store_file(b"Referenced secret", name="s.txt", classified=True)
    _age(file_path(kept))
    _age(file_path(kept_secret))

    # An old orphan: the transaction that wrote it rolled back.
    orphan = store_file(b"Orphan", name="orphan.txt")
    orphan_path = file_path(orphan)
    orphan.delete()
    _age(orphan_path)
    # A fresh orphan: its transaction may still be open.
    fresh = store_file(b"Fresh", name="fresh.txt")
    fresh_path = file_path(fresh)
    fresh.delete()
    # A temporary file left by a crash mid-write.
    stale_temp = settings.FILES_DIR / ".staging" / ".hoso-crashed.tmp"
    stale_temp.write_bytes(b"partial")
    _age(stale_temp)
    # A file this module did not write is not its business.
    foreign = settings.FILES_DIR / "README"
    foreign.write_text("keep me")
    _age(foreign)

    assert collect_garbage(min_age_seconds=3600) == 2
    assert not orphan_path.exists()
    assert not stale_temp.exists()
    assert fresh_path.exists()
    assert foreign.exists()
    assert file_path(kept).exists()
    assert file_path(kept_secret).exists()
    assert read_file(kept_secret) == b"Referenced secret"


def test_gc_removes_blob_left_under_old_key(db, settings):
    stored = store_file(SECRET_TEXT, name="secret.txt", classified=True)
    old_blob = file_path(stored).read_bytes()
    old_path = file_path(stored)
    settings.FILE_KEYS = "new:second secret,local:first secret"
    rotate_keys()
    # Simulate a crash between the row update and deleting the old blob.
    old_path.write_bytes(old_blob)
    _age(old_path)
    assert collect_garbage() == 1
    assert not old_path.exists()
    stored.refresh_from_db()
    assert read_file(stored) == SECRET_TEXT


def test_storing_again_adopts_an_old_orphan(db, settings):
    """Re-storing content whose old orphan is still on disk refreshes its
    age, so a concurrent gc does not delete it under the new row."""
    orphan = store_file(b"Orphan", name="orphan.txt")
    path = file_path(orphan)
    orphan.delete()
    _age(path)
    again = store_file(b"Orphan", name="orphan.txt")
    assert file_path(again) == path
    assert collect_garbage() == 0
    assert read_file(again) == b"Orphan"


def test_verify_all_reports_truncated_and_missing_files(db):
    good = store_file(make_pdf(), name="good.pdf")
    truncated = store_file(make_image("PNG"), name="t.png")
    missing = store_file(b"Gone", name="gone.txt")
    path = file_path(truncated)
    path.write_bytes(path.read_bytes()[:10])
    file_path(missing).unlink()

    problems = dict(verify_all())
    assert set(problems) == {truncated.pk, missing.pk}
    assert good.pk not in problems
    assert "missing" in problems[missing.pk]


def test_files_command(db, settings, capsys):
    stored = store_file(b"Command text", name="c.txt")
    call_command("files", "verify")
    assert "OK" in capsys.readouterr().out

    file_path(stored).write_bytes(b"Command texT")
    with pytest.raises(SystemExit) as exited:
        call_command("files", "verify")
    assert exited.value.code == 1
    assert str(stored.pk) in capsys.readouterr().err

    call_command("files", "gc", "--min-age", "0")
    assert "Removed 0" in capsys.readouterr().out

    store_file(SECRET_TEXT, name="secret.txt", classified=True)
    settings.FILE_KEYS = "new:second secret,local:first secret"
    call_command("files", "rotate-key")
    assert "Re-encrypted 1" in capsys.readouterr().out


# --------------------------------------------------------------------------
# Watermarks


WATERMARK = "Nguyễn Văn A · 2026-11-22 10:31 +07:00 · MẬT"


def test_watermark_every_page_and_keep_the_original():
    original = make_pdf([("A4", "P"), ("A4", "L"), ((420, 595), "P")])
    before = bytes(original)
    output = watermark_pdf(original, WATERMARK)
    assert original == before
    assert output != original
    reader = PdfReader(io.BytesIO(output))
    assert len(reader.pages) == 3
    for page in reader.pages:
        text = page.extract_text()
        assert "Nguyễn Văn A" in text
        assert "MẬT" in text
    # Page sizes are untouched.
    source = PdfReader(io.BytesIO(original))
    assert [tuple(p.mediabox) for p in reader.pages] == [
        tuple(p.mediabox) for p in source.pages
    ]


def test_watermark_rotated_and_cropped_pages():
    source = PdfReader(io.BytesIO(make_pdf([("A4", "P")] * 4)))
    writer = PdfWriter(clone_from=source)
    writer.pages[1].rotate(90)
    writer.pages[2].rotate(270)
    writer.pages[3].rotate(180)
    writer.pages[3].cropbox.lower_left = (50, 60)
    buffer = io.BytesIO()
    writer.write(buffer)

    output = watermark_pdf(buffer.getvalue(), WATERMARK)
    reader = PdfReader(io.BytesIO(output))
    assert [page.rotation for page in reader.pages] == [0, 90, 270, 180]
    for page in reader.pages:
        assert "MẬT" in page.extract_text()


def test_watermark_refuses_what_is_not_a_pdf():
    from hoso.documents.watermark import WatermarkError

    with pytest.raises(WatermarkError):
        watermark_pdf(b"%PDF-1.7\nnot really", WATERMARK)


def test_bundled_font_is_used():
    from hoso.documents.watermark import FONT_PATH

    assert FONT_PATH.is_file()
    assert (FONT_PATH.parent / "LICENSE-DejaVu.txt").is_file()
    output = watermark_pdf(make_pdf(), WATERMARK)
    fonts = PdfReader(io.BytesIO(output)).pages[0]["/Resources"]["/Font"]
    names = [str(font.get_object()["/BaseFont"]) for font in fonts.values()]
    assert any("DejaVuSans" in name for name in names)


def test_watermark_refuses_a_password_protected_pdf():
    from hoso.documents.watermark import WatermarkError

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt("user password")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(WatermarkError, match="password"):
        watermark_pdf(buffer.getvalue(), WATERMARK)

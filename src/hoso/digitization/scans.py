"""Accepting scanned files: PDF, TIFF, JPEG and PNG, alone or in ZIP archives.

Files are judged by their content (the documents storage's sniffer), never
by their names. A ZIP archive is expanded in memory, one entry at a time,
after its whole directory has been checked: an entry whose name climbs out
of the archive (``../``, an absolute path, a drive letter), a link, an
encrypted entry, a nested archive, too many entries or too many bytes
refuse the whole archive before anything is stored. Entry names are kept
only as labels: nothing is ever written to disk under a name taken from an
upload.

Every file is opened once to count its pages, so a damaged or
password-protected file is refused at intake with a message naming it
rather than failing later in the OCR job.
"""

from __future__ import annotations

import io
import re
import stat
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hoso.documents import storage

# Content types a scan may have, with the labels users see.
SCAN_TYPES: dict[str, str] = {
    storage.PDF: "PDF",
    storage.TIFF: "TIFF",
    storage.JPEG: "JPEG",
    storage.PNG: "PNG",
}
ZIP = "application/zip"

# Entries that archivers add beside the real files; skipped silently.
_JUNK_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini"}
_DRIVE = re.compile(r"^[A-Za-z]:")


def max_files() -> int:
    """How many files one batch may hold (archives expanded)."""
    return int(getattr(settings, "INTAKE_MAX_FILES", 500))


def max_batch_bytes() -> int:
    """How many bytes one batch may hold once archives are expanded."""
    return int(getattr(settings, "INTAKE_MAX_BATCH_BYTES", 1024 * 1024 * 1024))


def max_pages() -> int:
    """How many pages one file may have."""
    return int(getattr(settings, "INTAKE_MAX_PAGES", 1000))


@dataclass
class ScanFile:
    """One accepted file: its label, bytes, content type and page count."""

    name: str
    data: bytes
    content_type: str
    pages: int


def clean_name(name: str) -> str:
    """A display label from an uploaded name: the last path part, no control
    characters, NFC, at most 255 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip()
    return (name or "scan")[:255]


def _refuse(name: str, reason: str, code: str = "scan_refused") -> ValidationError:
    return ValidationError(
        _("“%(name)s”: %(reason)s") % {"name": name, "reason": reason}, code=code
    )


def _allowed_hint() -> str:
    return _("Allowed types: %(types)s, or a ZIP archive of them.") % {
        "types": ", ".join(SCAN_TYPES.values())
    }


def sniff(head: bytes) -> str | None:
    """The scan type of a file by its first bytes: one of SCAN_TYPES, ZIP
    for a plain ZIP archive, or None."""
    if head.startswith(b"PK\x03\x04"):
        # Office documents are ZIP containers too: refuse them as such.
        office = storage.sniff_content_type(head)
        return None if office else ZIP
    content_type = storage.sniff_content_type(head)
    return content_type if content_type in SCAN_TYPES else None


def count_pages(name: str, data: bytes, content_type: str) -> int:
    """Open the file and count its pages; ValidationError when it cannot be
    read (damaged, encrypted, an image bomb) or has too many pages."""
    if content_type == storage.PDF:
        pages = _pdf_pages(name, data)
    else:
        pages = _image_frames(name, data)
    if pages < 1:
        raise _refuse(name, _("the file has no pages."))
    if pages > max_pages():
        raise _refuse(
            name,
            _("the file has %(pages)s pages; the limit is %(limit)s.")
            % {"pages": pages, "limit": max_pages()},
        )
    return pages


def _pdf_pages(name: str, data: bytes) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise _refuse(
                    name,
                    _("the PDF is protected by a password; scan or export it again."),
                )
            return len(reader.pages)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _refuse(
            name,
            _("the PDF is damaged and cannot be read (%(error)s).")
            % {"error": str(exc)[:200]},
        ) from None


def _image_frames(name: str, data: bytes) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning becomes an error: refuse it.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                frames = getattr(image, "n_frames", 1)
                image.verify()
            return int(frames)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(name, _("the image is too large to process.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse(
            name,
            _("the image is damaged and cannot be read (%(error)s).")
            % {"error": str(exc)[:200]},
        ) from None


def _entry_problem(info: zipfile.ZipInfo) -> str:
    """Why a ZIP entry is unacceptable, or "" when it is fine."""
    raw = info.filename
    if "\x00" in raw:
        return _("a name with a NUL character")
    for path in (PurePosixPath(raw), PureWindowsPath(raw)):
        if path.is_absolute() or ".." in path.parts:
            return _("a path that leaves the archive")
    if raw.startswith(("/", "\\")) or _DRIVE.match(raw):
        return _("a path that leaves the archive")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return _("a symbolic link")
    if info.flag_bits & 0x1:
        return _("an encrypted entry")
    return ""


def _is_junk(info: zipfile.ZipInfo) -> bool:
    parts = re.split(r"[\\/]", info.filename)
    return any(part in _JUNK_PARTS or part.startswith("._") for part in parts if part)


def expand_zip(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """The (label, bytes) of every file in a ZIP archive.

    The whole central directory is checked first; then entries are read one
    by one, each capped at the upload limit whatever its header claims (a
    lying header cannot inflate past it).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, _("the ZIP archive is damaged.")) from None
    with archive:
        entries = []
        total = 0
        for info in archive.infolist():
            problem = _entry_problem(info)
            if problem:
                raise _refuse(
                    name,
                    _("the entry “%(entry)s” is %(problem)s; the archive is refused.")
                    % {"entry": info.filename[:200], "problem": problem},
                    code="zip_unsafe",
                )
            if info.is_dir() or _is_junk(info):
                continue
            total += info.file_size
            entries.append(info)
        if len(entries) > max_files():
            raise _refuse(
                name,
                _("the archive holds %(count)s files; the limit is %(limit)s.")
                % {"count": len(entries), "limit": max_files()},
            )
        if total > max_batch_bytes():
            raise _refuse(
                name,
                _("the archive expands to more than %(limit)s.")
                % {"limit": filesizeformat(max_batch_bytes())},
            )
        limit = int(settings.MAX_UPLOAD_BYTES)
        for info in entries:
            label = clean_name(info.filename)
            if info.file_size > limit:
                raise _refuse(label, _too_large())
            try:
                with archive.open(info) as entry:
                    content = entry.read(limit + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
                raise _refuse(
                    name,
                    _("the entry “%(entry)s” cannot be read.")
                    % {"entry": info.filename[:200]},
                ) from None
            if len(content) > limit:
                raise _refuse(label, _too_large())
            yield label, content


def _too_large() -> str:
    return _("the file is larger than the limit of %(limit)s.") % {
        "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)
    }


def _read_upload(upload) -> tuple[str, bytes]:
    """(label, bytes) of an upload: bytes, (name, bytes), a file object or a
    Django UploadedFile."""
    if isinstance(upload, tuple):
        name, content = upload
        data = content if isinstance(content, bytes) else content.read()
        return clean_name(name), data
    if isinstance(upload, bytes | bytearray):
        return "scan", bytes(upload)
    limit = int(settings.MAX_UPLOAD_BYTES)
    name = clean_name(getattr(upload, "name", "") or "scan")
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _refuse(name, _too_large())
    if getattr(upload, "seekable", lambda: False)():
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(name, _too_large())
    return name, data


def iter_scans(uploads: Iterable) -> Iterator[ScanFile]:
    """Check every upload (expanding ZIP archives) and yield the scans one
    at a time, so that only one file is held in memory beside its archive.

    The first unacceptable file raises a ValidationError naming it. A ZIP
    archive is refused as a whole before any of its entries is yielded; the
    caller stores files as they come inside one transaction, so a refusal
    leaves no rows (bytes already written are collected as orphans).
    """
    count = 0
    total = 0
    for upload in uploads:
        name, data = _read_upload(upload)
        kind = sniff(data[: storage.HEAD_BYTES])
        if kind == ZIP:
            members: Iterable[tuple[str, bytes]] = expand_zip(name, data)
        elif kind is None:
            raise _refuse(
                name,
                _("this is not a scan. %(allowed)s") % {"allowed": _allowed_hint()},
                code="file_type",
            )
        else:
            members = [(name, data)]
        expanded = 0
        for label, content in members:
            expanded += 1
            content_type = sniff(content[: storage.HEAD_BYTES])
            if content_type == ZIP:
                raise _refuse(label, _("archives inside archives are not accepted."))
            if content_type is None:
                raise _refuse(
                    label,
                    _("this is not a scan. %(allowed)s") % {"allowed": _allowed_hint()},
                    code="file_type",
                )
            count += 1
            total += len(content)
            if count > max_files():
                raise ValidationError(
                    _("A batch holds at most %(limit)s files.")
                    % {"limit": max_files()},
                    code="batch_too_many",
                )
            if total > max_batch_bytes():
                raise ValidationError(
                    _("The batch is larger than %(limit)s.")
                    % {"limit": filesizeformat(max_batch_bytes())},
                    code="batch_too_large",
                )
            pages = count_pages(label, content, content_type)
            yield ScanFile(label, content, content_type, pages)
        if kind == ZIP and not expanded:
            raise _refuse(name, _("the archive holds no files."))
    if not count:
        raise ValidationError(_("Choose at least one file."), code="batch_empty")


def accept(uploads: Iterable) -> list[ScanFile]:
    """Every scan of the uploads, checked (see `iter_scans`)."""
    return list(iter_scans(uploads))

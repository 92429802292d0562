"""Content-addressed storage of document files on the local disk.

Every file is kept once under the SHA-256 of its plaintext, in
``FILES_DIR/ab/cd/<sha256>`` (two directory levels keep directories small).
Classified files are encrypted at rest with AES-256-GCM and kept as
``FILES_DIR/ab/cd/<sha256>.<key id>.enc``; their plaintext never touches the
disk. An encrypted blob is ``b"HOSOENC1" + nonce (12 bytes) + ciphertext +
tag (16 bytes)``, with the SHA-256 hex as associated data, so a blob moved to
another name (another document) fails to decrypt.

Bytes are written atomically (temporary file, fsync, rename, fsync of the
directory) *before* the `StoredFile` row that points at them, so a crash or a
rolled-back transaction leaves at worst an orphan file, which
`collect_garbage` removes later: never a row without its bytes.

Uploads are accepted by content, never by name: `sniff_content_type` looks at
the magic bytes (and inside ZIP containers for Office/ODF documents) and
everything else is refused with a `FileRejected` naming what was found.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import secrets
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hoso.documents.models.files import StoredFile

logger = logging.getLogger(__name__)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"

# Content type -> label shown to users in "allowed types" hints. The labels
# are format names, the same in every language, so they stay plain strings
# that callers can join.
ALLOWED_TYPES: dict[str, str] = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    TIFF: "TIFF",
    DOCX: "DOCX",
    XLSX: "XLSX",
    ODT: "ODT",
    TEXT: "TXT (UTF-8)",
}

ENC_MAGIC = b"HOSOENC1"
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK_BYTES = 64 * 1024
# Enough of the start of a file to recognize it: magic numbers, the ODF
# "mimetype" entry, the first lines of a text file.
HEAD_BYTES = 8 * 1024
TMP_PREFIX = ".hoso-"
TMP_SUFFIX = ".tmp"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_BLOB_RE = re.compile(
    r"^(?P<sha>[0-9a-f]{64})(?:\.(?P<key>[A-Za-z0-9_-]{1,32})\.enc)?$"
)


class FileRejected(ValidationError):
    """An upload refused by the storage rules (size, type by content)."""


class StoredFileError(Exception):
    """A stored file cannot be read back as it was stored."""


class FileMissing(StoredFileError):
    """The bytes of a `StoredFile` are not on disk."""


class FileCorrupt(StoredFileError):
    """The bytes on disk are not the bytes that were stored (tampered or
    damaged): the size, the hash or the encryption tag does not match."""


class FileKeyUnavailable(StoredFileError):
    """The file is encrypted under a key id that is not configured."""


# --------------------------------------------------------------------------
# Keys


def _keys() -> list[tuple[str, bytes]]:
    """Parse settings.FILE_KEYS ("id:secret,id2:secret") into (id, AES key).

    Parsed on every call rather than cached: tests and key rotation change
    the setting at run time, and hashing a few secrets costs nothing.
    """
    keys: list[tuple[str, bytes]] = []
    for entry in str(settings.FILE_KEYS or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        # The key id becomes part of a file name, hence the strict alphabet.
        if not sep or not secret or not _KEY_ID_RE.match(key_id):
            raise ImproperlyConfigured(
                "HOSO_FILE_KEYS must be 'id:secret,id2:secret' with ids of "
                "1-32 letters, digits, '-' or '_'."
            )
        if any(existing == key_id for existing, _secret in keys):
            raise ImproperlyConfigured(
                f"HOSO_FILE_KEYS names the key id {key_id!r} twice."
            )
        keys.append((key_id, hashlib.sha256(secret.encode()).digest()))
    if not keys:
        raise ImproperlyConfigured("HOSO_FILE_KEYS holds no key.")
    return keys


def current_key_id() -> str:
    """The id of the key that encrypts new files (the first one)."""
    return _keys()[0][0]


def _key(key_id: str) -> bytes:
    """The AES key for a key id; FileKeyUnavailable when not configured."""
    for candidate, key in _keys():
        if candidate == key_id:
            return key
    raise FileKeyUnavailable(
        _(
            "The file is encrypted with the key “%(key)s”, which is not in "
            "HOSO_FILE_KEYS."
        )
        % {"key": key_id}
    )


# --------------------------------------------------------------------------
# Recognizing content


@dataclass(frozen=True)
class _Verdict:
    """What the first bytes say: an allowed type, a container to look into,
    or a refusal with the kind that was found."""

    content_type: str | None = None
    zip_container: bool = False
    refused_kind: str = ""


_MARKUP_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script", b"<!--")
_MARKUP_TAGS = (b"<html", b"<script", b"<body", b"<iframe", b"<svg", b"<head")


def _looks_like_markup(head: bytes) -> bool:
    """HTML/XML/SVG passed off as text: browsers may render or run it, so it
    is never accepted as text/plain (the same cues browsers sniff for)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\x0c").lower()
    if start.startswith(_MARKUP_STARTS):
        return True
    lowered = head[:1024].lower()
    return any(tag in lowered for tag in _MARKUP_TAGS)


def _refused_magic_kind(head: bytes) -> str:
    """What a refused file really is, when its magic number says so, so the
    message can name it ("a Windows program") rather than say "unknown"."""
    kinds: tuple[tuple[bytes, str], ...] = (
        (b"MZ", _("a Windows program")),
        (b"\x7fELF", _("a Linux program")),
        (b"\xcf\xfa\xed\xfe", _("a macOS program")),
        (b"GIF8", _("a GIF image")),
        (b"RIFF", _("a RIFF file (WebP, WAV or AVI)")),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            _("an old-format Office document (.doc/.xls); save it as DOCX or XLSX"),
        ),
        (b"Rar!", _("a RAR archive")),
        (b"7z\xbc\xaf\x27\x1c", _("a 7-Zip archive")),
        (b"\x1f\x8b", _("a gzip archive")),
    )
    for magic, kind in kinds:
        if head.startswith(magic):
            return kind
    return ""


def _has_control_characters(text: str) -> bool:
    return any(ch < " " and ch not in "\t\r\n\x0c" for ch in text)


def _head_verdict(head: bytes, complete: bool) -> _Verdict:
    """Classify a file by its first bytes (`complete` when that is all of it)."""
    if not head:
        return _Verdict(refused_kind=_("an empty file"))
    # Strict: "%PDF-" must open the file. Readers tolerate junk before it,
    # but that tolerance is what polyglot files (HTML that is also a PDF)
    # rely on.
    if head.startswith(b"%PDF-"):
        return _Verdict(content_type=PDF)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _Verdict(content_type=PNG)
    if head.startswith(b"\xff\xd8\xff"):
        return _Verdict(content_type=JPEG)
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return _Verdict(content_type=TIFF)
    if head.startswith(b"PK\x03\x04"):
        return _Verdict(zip_container=True)
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return _Verdict(refused_kind=_("a ZIP archive"))
    if head.startswith(b"#!"):
        # Text, but a program: the policy is never to accept executables.
        return _Verdict(refused_kind=_("a script"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _Verdict(refused_kind=_("text in UTF-16, not UTF-8"))
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
    except UnicodeDecodeError:
        text = None
    if text is not None and not _has_control_characters(text):
        if _looks_like_markup(head):
            return _Verdict(refused_kind=_("an HTML or XML page"))
        return _Verdict(content_type=TEXT)
    # Programs and most binaries contain NUL bytes, so they land here and
    # not as text even when their magic happens to be printable ("MZ").
    return _Verdict(
        refused_kind=_refused_magic_kind(head)
        or _("binary data or text that is not UTF-8")
    )


def _office_kind(
    names: list[str], odf_mimetype: bytes | None
) -> tuple[str | None, str]:
    """(content type, refused kind) of a ZIP container from its entry names."""
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        # Macros are code; the policy is to never accept executable content.
        return None, _("an Office document with macros")
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX, ""
        if "xl/workbook.xml" in names:
            return XLSX, ""
    if odf_mimetype is not None and odf_mimetype.strip() == ODT.encode():
        return ODT, ""
    if odf_mimetype is not None:
        return None, _("an OpenDocument file that is not a text document")
    return None, _("a ZIP archive")


def _zip_names_from_local_headers(data: bytes) -> tuple[list[str], bytes | None]:
    """Entry names (and the ODF mimetype) read from the local file headers
    at the start of a ZIP, for when only its first bytes are at hand."""
    names: list[str] = []
    mimetype: bytes | None = None
    offset = 0
    header = struct.Struct("<4sHHHHHIIIHH")
    while offset + header.size <= len(data):
        fields = header.unpack_from(data, offset)
        signature, flags, method, csize = fields[0], fields[2], fields[3], fields[7]
        name_len, extra_len = fields[9], fields[10]
        if signature != b"PK\x03\x04":
            break
        name_start = offset + header.size
        name = data[name_start : name_start + name_len].decode("utf-8", "replace")
        names.append(name)
        data_start = name_start + name_len + extra_len
        if name == "mimetype" and method == 0:
            mimetype = data[data_start : data_start + csize]
        if flags & 0x08:
            # Sizes follow the data (data descriptor): cannot skip ahead.
            break
        offset = data_start + csize
    return names, mimetype


def _zip_inspect(source: IO[bytes]) -> tuple[str | None, str]:
    """(content type, refused kind) of a complete ZIP, from its central
    directory. Only the tiny ODF "mimetype" entry is ever decompressed."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
            mimetype = None
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        return None, _("a damaged ZIP archive")
    return _office_kind(names, mimetype)


def sniff_content_type(head: bytes, name: str = "") -> str | None:
    """The allowed content type of a file judged by its bytes, None when it
    is not one of ALLOWED_TYPES.

    `head` is the start of the file, or all of it. The name is deliberately
    not consulted: an ``.exe`` renamed ``.pdf`` is still a program. For a
    ZIP container (DOCX/XLSX/ODT) the whole file gives the surest answer;
    with only its start, the local headers are read instead.
    """
    verdict = _head_verdict(head, complete=False)
    if not verdict.zip_container:
        return verdict.content_type
    content_type, _refused = _zip_inspect(io.BytesIO(head))
    if content_type is not None:
        return content_type
    names, mimetype = _zip_names_from_local_headers(head)
    return _office_kind(names, mimetype)[0]


def _reject_type(name: str, kind: str) -> FileRejected:
    return FileRejected(
        _(
            "“%(name)s” is %(kind)s, which cannot be accepted. Allowed types: "
            "%(allowed)s."
        )
        % {"name": name, "kind": kind, "allowed": ", ".join(ALLOWED_TYPES.values())},
        code="file_type",
    )


def _reject_size(name: str) -> FileRejected:
    return FileRejected(
        _("“%(name)s” is larger than the limit of %(limit)s.")
        % {"name": name, "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)},
        code="file_too_large",
    )


class _Inspector:
    """Checks a file as its chunks stream past: size limit, type by the
    first bytes, UTF-8 validity of text to the very end, and the SHA-256."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.limit = int(settings.MAX_UPLOAD_BYTES)
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.head = b""
        self.verdict: _Verdict | None = None
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._text_checked = 0

    def feed(self, chunk: bytes) -> None:
        """Account for one chunk; raises FileRejected as early as possible."""
        start = self.size
        self.size += len(chunk)
        if self.size > self.limit:
            raise _reject_size(self.name)
        self.sha256.update(chunk)
        if self.verdict is None:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
            if len(self.head) >= HEAD_BYTES:
                self._judge(complete=False)
        if self._is_text:
            # The part of this chunk the head did not already cover.
            self._check_text(chunk[self._text_checked - start :])

    def finish(self) -> None:
        """The whole file has been fed: settle the verdict."""
        if self.verdict is None:
            self._judge(complete=True)
        if self._is_text:
            self._check_text(b"", final=True)

    @property
    def _is_text(self) -> bool:
        return self.verdict is not None and self.verdict.content_type == TEXT

    def _judge(self, complete: bool) -> None:
        self.verdict = _head_verdict(self.head, complete)
        if self.verdict.refused_kind:
            raise _reject_type(self.name, self.verdict.refused_kind)
        if self._is_text:
            # From here on every byte goes through one incremental decoder,
            # so a character split across chunks is judged whole.
            self._check_text(self.head)

    def _check_text(self, data: bytes, final: bool = False) -> None:
        try:
            text = self._utf8.decode(data, final=final)
        except UnicodeDecodeError:
            raise _reject_type(
                self.name, _("binary data or text that is not UTF-8")
            ) from None
        self._text_checked += len(data)
        if _has_control_characters(text):
            raise _reject_type(self.name, _("binary data"))

    @property
    def hexdigest(self) -> str:
        return self.sha256.hexdigest()


# --------------------------------------------------------------------------
# Paths and atomic writes


def _root() -> Path:
    return Path(settings.FILES_DIR)


def _blob_path(sha256: str, key_id: str = "") -> Path:
    """Where the bytes for a hash live (encrypted when key_id is given)."""
    if not _SHA256_RE.match(sha256):
        # A row is never trusted to build a path outside FILES_DIR.
        raise FileCorrupt(_("Invalid SHA-256 “%(sha)s”.") % {"sha": sha256})
    name = f"{sha256}.{key_id}.enc" if key_id else sha256
    return _root() / sha256[:2] / sha256[2:4] / name


def file_path(stored: StoredFile) -> Path:
    """The path of a stored file's bytes on disk."""
    if stored.encrypted:
        if not _KEY_ID_RE.match(stored.key_id or ""):
            raise FileKeyUnavailable(
                _("The encrypted file %(id)s has no valid key id.") % {"id": stored.pk}
            )
        return _blob_path(stored.sha256, stored.key_id)
    return _blob_path(stored.sha256)


def _fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ensure_dir(path: Path) -> None:
    """Create the ab/cd directories, fsyncing each parent that gained one."""
    missing = []
    candidate = path
    while not candidate.exists():
        missing.append(candidate)
        candidate = candidate.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            continue
        _fsync_dir(directory.parent)


def _temp_file(directory: Path) -> tuple[BinaryIO, Path]:
    """An owner-only temporary file in `directory`, named so that
    collect_garbage recognizes it when a crash leaves it behind."""
    _ensure_dir(directory)
    fd, name = tempfile.mkstemp(dir=directory, prefix=TMP_PREFIX, suffix=TMP_SUFFIX)
    return os.fdopen(fd, "wb"), Path(name)


def _commit_temp(handle: BinaryIO, temp: Path, final: Path) -> None:
    """fsync, rename into place and fsync the directory: after this returns
    the file is complete at `final` even across a power cut."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    _ensure_dir(final.parent)
    os.replace(temp, final)
    _fsync_dir(final.parent)
    if temp.parent != final.parent:
        _fsync_dir(temp.parent)


def _write_atomically(final: Path, chunks: Iterator[bytes]) -> None:
    """Write `chunks` to `final` through a temporary file in the same
    directory, so readers see either nothing or the complete file."""
    handle, temp = _temp_file(final.parent)
    try:
        for chunk in chunks:
            handle.write(chunk)
        _commit_temp(handle, temp, final)
    except BaseException:
        handle.close()
        temp.unlink(missing_ok=True)
        raise


def _encrypted_size(size: int) -> int:
    return len(ENC_MAGIC) + NONCE_BYTES + size + TAG_BYTES


def _existing_ok(path: Path, expected_size: int) -> bool:
    """Whether identical bytes are already in place, judged by size (the
    name is the hash). A file of the wrong size is damaged and gets replaced
    atomically by the good copy at hand. The mtime is refreshed so that a
    concurrent collect_garbage does not take an old orphan that a new row is
    about to adopt."""
    try:
        if path.stat().st_size != expected_size:
            return False
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


# --------------------------------------------------------------------------
# Storing


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while True:
        chunk = source.read(CHUNK_BYTES)
        if not chunk:
            return
        yield chunk


def _declared_size(source: object) -> int | None:
    """The size an upload announces (Django's UploadedFile), if any."""
    size = getattr(source, "size", None)
    return size if isinstance(size, int) else None


def store_file(
    fileobj_or_bytes: bytes | IO[bytes], *, name: str, classified: bool = False
) -> StoredFile:
    """Store an upload (bytes or a binary file object) and return its row.

    Refuses, with a FileRejected naming the reason, files over
    settings.MAX_UPLOAD_BYTES and files whose content is not one of
    ALLOWED_TYPES. Identical content is stored once (one row per hash and
    encryption); bytes already on disk are not rewritten. Classified files
    are encrypted before anything reaches the disk.
    """
    declared = _declared_size(fileobj_or_bytes)
    if declared is not None and declared > settings.MAX_UPLOAD_BYTES:
        raise _reject_size(name)
    if isinstance(fileobj_or_bytes, bytes | bytearray | memoryview):
        source: IO[bytes] = io.BytesIO(bytes(fileobj_or_bytes))
    else:
        source = fileobj_or_bytes
        # Like Django's File.chunks(): a form may have read part already.
        if getattr(source, "seekable", lambda: False)():
            source.seek(0)
    if classified:
        return _store_classified(source, name)
    return _store_plain(source, name)


def _store_plain(source: IO[bytes], name: str) -> StoredFile:
    """One pass: stream into a temporary file under FILES_DIR while hashing
    and checking, then rename it to its content address."""
    inspector = _Inspector(name)
    staging = _root() / ".staging"
    handle, temp = _temp_file(staging)
    try:
        for chunk in _chunks(source):
            inspector.feed(chunk)
            handle.write(chunk)
        inspector.finish()
        handle.flush()  # _settle_type may reopen the file to look inside
        content_type = _settle_type(inspector, temp)
        final = _blob_path(inspector.hexdigest)
        if _existing_ok(final, inspector.size):
            handle.close()
            temp.unlink()
        else:
            _commit_temp(handle, temp, final)
    except BaseException:
        handle.close()
        temp.unlink(missing_ok=True)
        raise
    stored, _created = StoredFile.objects.get_or_create(
        sha256=inspector.hexdigest,
        encrypted=False,
        defaults={"size": inspector.size, "content_type": content_type},
    )
    return stored


def _settle_type(inspector: _Inspector, data: Path | IO[bytes]) -> str:
    """The final content type; ZIP containers are judged by their central
    directory (the complete file) rather than by their first bytes."""
    verdict = inspector.verdict
    assert verdict is not None
    if not verdict.zip_container:
        assert verdict.content_type is not None
        return verdict.content_type
    if isinstance(data, Path):
        with data.open("rb") as handle:
            content_type, refused = _zip_inspect(handle)
    else:
        data.seek(0)
        content_type, refused = _zip_inspect(data)
    if content_type is None:
        raise _reject_type(inspector.name, refused)
    return content_type


def _store_classified(source: IO[bytes], name: str) -> StoredFile:
    """Two passes over the source: the first checks and hashes (the hash is
    the associated data, so it must be known before encrypting), the second
    encrypts chunk by chunk into the temporary file. Only ciphertext is ever
    written."""
    if not getattr(source, "seekable", lambda: False)():
        # A one-way stream: buffer it in memory (never on disk), enforcing
        # the limit as it arrives.
        buffered = io.BytesIO()
        for chunk in _chunks(source):
            buffered.write(chunk)
            if buffered.tell() > settings.MAX_UPLOAD_BYTES:
                raise _reject_size(name)
        source = buffered
        source.seek(0)

    inspector = _Inspector(name)
    for chunk in _chunks(source):
        inspector.feed(chunk)
    inspector.finish()
    content_type = _settle_type(inspector, source)
    sha256 = inspector.hexdigest

    existing = StoredFile.objects.filter(sha256=sha256, encrypted=True).first()
    if existing is not None and _existing_ok(
        file_path(existing), _encrypted_size(existing.size)
    ):
        return existing

    key_id, key = _keys()[0]
    final = _blob_path(sha256, key_id)
    if not _existing_ok(final, _encrypted_size(inspector.size)):
        source.seek(0)
        _write_atomically(final, _encrypt_stream(source, key, sha256))
    stored, created = StoredFile.objects.get_or_create(
        sha256=sha256,
        encrypted=True,
        defaults={
            "size": inspector.size,
            "content_type": content_type,
            "key_id": key_id,
        },
    )
    if not created and stored.key_id != key_id and not file_path(stored).exists():
        # The row's blob is gone but a good one under the current key was
        # just written: point the row at it rather than keep a dead row.
        StoredFile.objects.filter(pk=stored.pk).update(key_id=key_id)
        stored.key_id = key_id
    return stored


def _encrypt_stream(source: IO[bytes], key: bytes, sha256: str) -> Iterator[bytes]:
    """Yield the encrypted blob (magic, nonce, ciphertext, tag) chunk by
    chunk, checking that the plaintext still hashes to `sha256`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(sha256.encode())
    digest = hashlib.sha256()
    yield ENC_MAGIC + nonce
    for chunk in _chunks(source):
        digest.update(chunk)
        yield encryptor.update(chunk)
    if digest.hexdigest() != sha256:
        # The source changed between the two passes; refuse to store a blob
        # whose name does not match its content.
        raise StoredFileError(_("The file changed while it was being stored."))
    yield encryptor.finalize() + encryptor.tag


def _encrypt(plaintext: bytes, key: bytes, sha256: str) -> bytes:
    """The encrypted blob for a plaintext already in memory (rotation)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return ENC_MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, sha256.encode())


# --------------------------------------------------------------------------
# Reading


def _decrypt_blob(blob: bytes, stored: StoredFile) -> bytes:
    """The plaintext of an encrypted blob; FileCorrupt if it was altered."""
    key = _key(stored.key_id)
    header = len(ENC_MAGIC) + NONCE_BYTES
    if len(blob) < header + TAG_BYTES or not blob.startswith(ENC_MAGIC):
        raise FileCorrupt(
            _("The encrypted file %(id)s is damaged (bad header).") % {"id": stored.pk}
        )
    nonce = blob[len(ENC_MAGIC) : header]
    try:
        return AESGCM(key).decrypt(nonce, blob[header:], stored.sha256.encode())
    except InvalidTag:
        raise FileCorrupt(
            _(
                "The encrypted file %(id)s fails its integrity check: it was "
                "altered or damaged."
            )
            % {"id": stored.pk}
        ) from None


def _read_blob(stored: StoredFile) -> bytes:
    """The raw bytes on disk. A stale row (the file was re-encrypted under a
    new key meanwhile) is refreshed once before giving up."""
    try:
        return file_path(stored).read_bytes()
    except FileNotFoundError:
        if stored.encrypted and stored.pk is not None:
            stored.refresh_from_db(fields=["key_id"])
            try:
                return file_path(stored).read_bytes()
            except FileNotFoundError:
                pass
        raise FileMissing(
            _("The file %(id)s (%(sha)s) is missing from storage.")
            % {"id": stored.pk, "sha": stored.sha256}
        ) from None


def _check_plaintext(data: bytes, stored: StoredFile) -> bytes:
    """`data` if it is what was stored (size and hash), else FileCorrupt."""
    if len(data) != stored.size or hashlib.sha256(data).hexdigest() != stored.sha256:
        raise FileCorrupt(
            _("The file %(id)s does not match its SHA-256: it was altered or damaged.")
            % {"id": stored.pk}
        )
    return data


def read_file(stored: StoredFile) -> bytes:
    """The plaintext of a stored file, decrypted if needed and verified
    against its SHA-256. Raises FileMissing, FileCorrupt or
    FileKeyUnavailable (all StoredFileError) with a message saying which."""
    blob = _read_blob(stored)
    data = _decrypt_blob(blob, stored) if stored.encrypted else blob
    return _check_plaintext(data, stored)


def open_for_download(stored: StoredFile) -> BinaryIO | bytes:
    """What to send to a client: an open file (for FileResponse, which
    closes it) for plain files, the verified plaintext bytes for classified
    ones. Plain files are checked by size only, so large downloads start at
    once; `verify_all` checks the hashes periodically."""
    if stored.encrypted:
        return read_file(stored)
    path = file_path(stored)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise FileMissing(
            _("The file %(id)s (%(sha)s) is missing from storage.")
            % {"id": stored.pk, "sha": stored.sha256}
        ) from None
    if os.fstat(handle.fileno()).st_size != stored.size:
        handle.close()
        raise FileCorrupt(
            _("The file %(id)s has the wrong size: it was altered or damaged.")
            % {"id": stored.pk}
        )
    return handle


# --------------------------------------------------------------------------
# Maintenance


def _verify_one(stored: StoredFile) -> None:
    """Raise StoredFileError when the file is missing or not as stored.
    Plain files are hashed in chunks, so any size can be checked."""
    if stored.encrypted:
        read_file(stored)
        return
    path = file_path(stored)
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            for chunk in _chunks(handle):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        raise FileMissing(
            _("The file %(id)s (%(sha)s) is missing from storage.")
            % {"id": stored.pk, "sha": stored.sha256}
        ) from None
    if size != stored.size or digest.hexdigest() != stored.sha256:
        raise FileCorrupt(
            _("The file %(id)s does not match its SHA-256: it was altered or damaged.")
            % {"id": stored.pk}
        )


def verify_all() -> list[tuple[int, str]]:
    """(StoredFile id, problem) for every stored file that is missing,
    damaged, or encrypted under a key that is no longer configured."""
    problems: list[tuple[int, str]] = []
    for stored in StoredFile.objects.order_by("pk").iterator():
        try:
            _verify_one(stored)
        except StoredFileError as error:
            problems.append((stored.pk, str(error)))
    return problems


def _walk_blobs() -> Iterator[Path]:
    """Every regular file in the ab/cd directories and the staging area."""
    root = _root()
    if not root.is_dir():
        return
    for first in sorted(root.iterdir()):
        if not first.is_dir():
            continue
        if first.name == ".staging":
            yield from (p for p in first.iterdir() if p.is_file())
            continue
        for second in sorted(first.iterdir()):
            if second.is_dir():
                yield from (p for p in second.iterdir() if p.is_file())


def _is_old(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def collect_garbage(min_age_seconds: int = 3600) -> int:
    """Delete files no StoredFile row points at, and temporary files left
    by interrupted writes, once older than `min_age_seconds`. Returns how
    many were deleted.

    Files are written before their row, so a young file without a row may
    belong to a transaction still in progress: the age threshold protects
    it. Files whose names this module does not produce are left alone.
    """
    cutoff = time.time() - min_age_seconds
    candidates: list[tuple[Path, str, str]] = []
    removed = 0
    for path in _walk_blobs():
        if path.name.startswith(TMP_PREFIX) and path.name.endswith(TMP_SUFFIX):
            if _is_old(path, cutoff):
                path.unlink(missing_ok=True)
                removed += 1
            continue
        match = _BLOB_RE.match(path.name)
        # Only names this module writes, in the directory it writes them to.
        if match is None or path != _blob_path(match["sha"], match["key"] or ""):
            continue
        if _is_old(path, cutoff):
            candidates.append((path, match["sha"], match["key"] or ""))

    batch = 500
    for start in range(0, len(candidates), batch):
        chunk = candidates[start : start + batch]
        referenced = {
            (sha, key_id if encrypted else "")
            for sha, encrypted, key_id in StoredFile.objects.filter(
                sha256__in={sha for _path, sha, _key in chunk}
            ).values_list("sha256", "encrypted", "key_id")
        }
        for path, sha, key_id in chunk:
            # Re-check the age after the query: a writer that adopted this
            # file meanwhile has refreshed its mtime (see _existing_ok).
            if (sha, key_id) not in referenced and _is_old(path, cutoff):
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def rotate_keys(
    on_problem: Callable[[StoredFile, str], None] | None = None,
) -> int:
    """Re-encrypt every encrypted file not under the current (first) key.
    Returns how many were re-encrypted.

    Per file: write the new blob atomically, point the row at it, then
    delete the old blob. Interrupted anywhere, a rerun finishes the job: a
    new blob written without its row update is simply rewritten, an old blob
    left behind is an orphan for collect_garbage. Files that cannot be read
    (missing, damaged, unknown key) are skipped and passed to `on_problem`.
    """
    key_id, key = _keys()[0]
    rotated = 0
    pending = StoredFile.objects.filter(encrypted=True).exclude(key_id=key_id)
    for stored in pending.order_by("pk").iterator():
        old_key_id = stored.key_id
        try:
            plaintext = read_file(stored)
        except StoredFileError as error:
            logger.error("key rotation skipped file %s: %s", stored.pk, error)
            if on_problem is not None:
                on_problem(stored, str(error))
            continue
        if stored.key_id == key_id:
            # read_file refreshed the row: a concurrent rotation did it.
            continue
        old_path = _blob_path(stored.sha256, old_key_id)
        new_path = _blob_path(stored.sha256, key_id)
        _write_atomically(new_path, iter([_encrypt(plaintext, key, stored.sha256)]))
        # Conditional update: a concurrent rotation that got there first
        # wins, and this run does not count the file twice.
        updated = StoredFile.objects.filter(pk=stored.pk, key_id=old_key_id).update(
            key_id=key_id
        )
        if updated:
            old_path.unlink(missing_ok=True)
            rotated += 1
    return rotated

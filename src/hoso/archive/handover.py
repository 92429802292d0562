"""Handover packages: chosen records as a BagIt bag (RFC 8493), and back.

A package written by `export_bag` looks like this::

    <External-Identifier>/
      bagit.txt  bag-info.txt
      manifest-sha256.txt  manifest-sha512.txt
      tagmanifest-sha256.txt  tagmanifest-sha512.txt
      data/
        handover.json              what the package holds and what was left out
        audit.jsonl                the audit entries about those documents
        <document id>/metadata.json  every field, files, signatures, timeline
        <document id>/files/01-<name>  the files, main file first

bag-info.txt carries Source-Organization, Bagging-Date, Payload-Oxum and
External-Identifier. Classified documents never leave in a package: they are
left out and listed in handover.json (and in the package record) with the
reason.

`import_bag` validates every checksum of every manifest first (bagit's
`Bag.validate()`): a package with any altered, missing or extra file is
refused with an error naming the file, before anything is stored. The
records then enter the receiving organization's incoming register through
`documents.services.create_incoming`, audited.

Zipped packages (what the pages and the API exchange) are unpacked by
`safe_extract`: no absolute paths, no "..", no links, a size and a file
count limit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import threading
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import bagit
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from hoso.archive.choices import PackageDirection
from hoso.archive.models import HandoverPackage
from hoso.archive.services import merged_into
from hoso.core import audit, permissions
from hoso.core.models import AuditEntry
from hoso.documents import services as documents
from hoso.documents import storage
from hoso.documents.models import Attachment, Document, DocumentEvent, DocumentType
from hoso.organizations.models import Organization

EXPORT_PERMISSION = "archive.export_handoverpackage"
IMPORT_PERMISSION = "archive.import_handoverpackage"
FORMAT = "hoso-handover/1"
CHECKSUMS = ["sha256", "sha512"]
# Limits on an uploaded zip: total unpacked size and number of entries.
MAX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024
MAX_ENTRIES = 100_000
# Metadata fields a receiving organization takes over. The deadline is left
# behind on purpose: it belonged to the sender's processing, and a past one
# would make the record overdue on arrival.
IMPORTED_FIELDS = [
    "symbol",
    "number",
    "issuer_name",
    "place",
    "issued_date",
    "excerpt",
    "body",
    "signer_name",
    "signer_position",
    "signer_authority",
    "urgency",
    "secrecy",
    "page_count",
    "copies",
    "recipients_text",
    "language",
]
_DATE_FIELDS = {"issued_date"}
# bagit.make_bag changes the process's working directory while it runs:
# bag one package at a time per process. (Hoso resolves its own paths from
# settings, never from the working directory, so other threads are safe.)
_BAGGING = threading.Lock()


# Writing ----------------------------------------------------------------------


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _safe_name(name: str, index: int) -> str:
    """A file name that is safe in any file system and unique in its
    directory: numbered, NFC, without separators or control characters."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = re.sub(r"[\x00-\x1f\x7f:*?\"<>|]", "_", base).strip(" .") or "file"
    stem, dot, ext = base.rpartition(".")
    base = f"{stem[:100]}.{ext}" if dot and len(ext) <= 10 else base[:110]
    return f"{index:02d}-{base}"


def document_metadata(document: Document, files: list[dict]) -> dict:
    """Everything about a document that travels with it: every concrete
    field, the readable type and organization, its files with their
    signature reports and text, and its timeline."""
    fields = {
        field.attname: field.value_from_object(document)
        for field in document._meta.concrete_fields
    }
    older = merged_into(document)
    return {
        "format": FORMAT,
        "id": document.pk,
        "fields": fields,
        "organization": {
            "id": document.organization_id,
            "code": document.organization.code,
            "name": document.organization.name,
        },
        "doc_type": {
            "system": document.doc_type.system,
            "code": document.doc_type.code,
            "name": document.doc_type.name,
        },
        "issuer_code": document.issuer.code if document.issuer_id else None,
        "duplicate_of": older.pk if older else None,
        "attachments": files,
        "events": [
            {
                "at": event.at,
                "action": event.action,
                "status": event.status,
                "actor": event.actor.get_username() if event.actor_id else None,
                "note": event.note,
            }
            for event in document.events.select_related("actor")
        ],
    }


def _write_files(document: Document, directory: Path) -> list[dict]:
    """Copy the document's files (verified against their SHA-256) into the
    bag and describe them."""
    described = []
    attachments = list(document.attachments.select_related("stored_file"))
    attachments.sort(key=lambda item: (not item.is_main, item.created, item.pk))
    if attachments:
        directory.mkdir(parents=True)
    for index, attachment in enumerate(attachments, start=1):
        stored = attachment.stored_file
        name = _safe_name(attachment.name, index)
        try:
            data = storage.read_file(stored)
        except storage.StoredFileError as error:
            raise ValidationError(
                _("The file %(name)s of %(document)s cannot be exported: %(error)s")
                % {"name": attachment.name, "document": document, "error": error}
            ) from None
        (directory / name).write_bytes(data)
        described.append(
            {
                "name": attachment.name,
                "path": f"files/{name}",
                "sha256": stored.sha256,
                "size": stored.size,
                "content_type": stored.content_type,
                "is_main": attachment.is_main,
                "signature_status": attachment.signature_status,
                "signature_report": attachment.signature_report,
                "text": attachment.text,
            }
        )
    return described


def _write_audit(ids: list[int], path: Path) -> int:
    """The audit entries about the documents, one JSON object per line, in
    chain order (streamed)."""
    entries = AuditEntry.objects.filter(
        object_type="documents.document", object_id__in=[str(pk) for pk in ids]
    ).order_by("id")
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for entry in entries.iterator(chunk_size=2000):
            line = {
                "id": entry.id,
                "timestamp": entry.timestamp,
                "actor": entry.actor_name,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "object_repr": entry.object_repr,
                "organization_id": entry.organization_id,
                "changes": entry.changes,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
            }
            handle.write(json.dumps(line, cls=DjangoJSONEncoder, ensure_ascii=False))
            handle.write("\n")
            count += 1
    return count


def _chosen(documents: Iterable, acting_user) -> tuple[Organization, list[Document]]:
    """The chosen documents, re-read within the user's scope; all must be
    visible (else DoesNotExist, a 404) and of one organization, where the
    user may export."""
    ids = list(
        dict.fromkeys(
            item.pk if isinstance(item, Document) else int(item) for item in documents
        )
    )
    if not ids:
        raise ValidationError({"documents": _("Choose at least one document.")})
    found = list(
        Document.objects.restrict(acting_user, "view")
        .filter(pk__in=ids)
        .select_related("organization", "doc_type", "issuer")
        .order_by("pk")
    )
    if len(found) != len(ids):
        raise Document.DoesNotExist
    organizations = {document.organization_id for document in found}
    if len(organizations) > 1:
        raise ValidationError(
            {
                "documents": _(
                    "A handover package holds the records of one organization; "
                    "choose documents of a single organization."
                )
            }
        )
    organization = found[0].organization
    if not permissions.has_permission(acting_user, EXPORT_PERMISSION, organization):
        raise PermissionDenied
    return organization, found


def export_package(
    documents: Iterable, *, acting_user, dest_dir: str | Path
) -> HandoverPackage:
    """Write the chosen records as a bag under `dest_dir` and register the
    package; the bag's path is in the returned package's `bag_path`.

    GIVEN documents of one organization within the user's scope
    WHEN the clerk exports them
    THEN a BagIt bag with sha256 and sha512 manifests holds their files,
    metadata and audit excerpt; classified documents are left out and
    listed; every exported document's audit trail records the handover.
    """
    organization, found = _chosen(documents, acting_user)
    included = [document for document in found if document.secrecy == 0]
    skipped = [
        # Only the id: a classified record's metadata stays out of the package
        # register too, which readers without clearance may open.
        {"id": document.pk, "reason": "classified"}
        for document in found
        if document.secrecy > 0
    ]
    if not included:
        raise ValidationError(
            {
                "documents": _(
                    "Every chosen document is classified; classified records "
                    "do not leave in handover packages."
                )
            }
        )
    identifier = (
        f"hoso-{organization.code}-{timezone.localdate():%Y%m%d}-"
        f"{uuid.uuid4().hex[:12]}"
    )
    bag_dir = Path(dest_dir) / identifier
    bag_dir.mkdir(parents=True)
    for document in included:
        folder = bag_dir / str(document.pk)
        files = _write_files(document, folder / "files")
        folder.mkdir(exist_ok=True)
        (folder / "metadata.json").write_text(
            _json(document_metadata(document, files)), encoding="utf-8"
        )
    audit_count = _write_audit([d.pk for d in included], bag_dir / "audit.jsonl")
    person = getattr(acting_user, "person", None)
    index = {
        "format": FORMAT,
        "external_identifier": identifier,
        "organization": {
            "id": organization.pk,
            "code": organization.code,
            "name": organization.name,
        },
        "exported_at": timezone.now(),
        "exported_by": person.full_name if person else acting_user.get_username(),
        "documents": [document.pk for document in included],
        "skipped": skipped,
        "audit_entries": audit_count,
    }
    (bag_dir / "handover.json").write_text(_json(index), encoding="utf-8")
    bag_info = {
        "Source-Organization": organization.name,
        "Internal-Sender-Identifier": organization.code,
        "External-Identifier": identifier,
        "External-Description": _("Handover package of %(count)d records")
        % {"count": len(included)},
        "Contact-Name": index["exported_by"],
        "Bag-Software-Agent": "Hoso",
        "Bagging-Date": timezone.localdate().isoformat(),
    }
    with _BAGGING:
        bag = bagit.make_bag(
            str(bag_dir), bag_info=bag_info, checksums=CHECKSUMS, processes=1
        )
    with transaction.atomic():
        package = HandoverPackage.objects.create(
            organization=organization,
            direction=PackageDirection.EXPORT,
            external_identifier=identifier,
            source_organization=organization.name,
            payload_oxum=bag.info.get("Payload-Oxum", ""),
            bag_info=dict(bag.info),
            skipped=skipped,
            created_by=acting_user,
        )
        package.documents.set(included)
        for document in included:
            audit.record(
                "archive.exported",
                obj=document,
                actor=acting_user,
                changes={"package": [None, identifier]},
            )
    package.bag_path = bag_dir
    return package


def export_bag(documents: Iterable, *, acting_user, dest_dir: str | Path) -> Path:
    """Write the chosen records as a BagIt bag; return the bag's directory
    (see `export_package`)."""
    return export_package(
        documents, acting_user=acting_user, dest_dir=dest_dir
    ).bag_path


def zip_bag(bag_dir: Path, target: IO[bytes]) -> None:
    """Write the bag into `target` as a zip with the bag's directory at its
    root (what BagIt tools expect when unpacking)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(bag_dir.rglob("*")):
            if path.is_file():
                archive.write(path, f"{bag_dir.name}/{path.relative_to(bag_dir)}")


# Reading ----------------------------------------------------------------------


def safe_extract(source: IO[bytes] | str | Path, dest: Path) -> Path:
    """Unpack a zipped bag into `dest` and return the bag's directory.

    Refuses (ValidationError) anything that is not a zip, entries with
    absolute paths, "..", drive letters or links, more than MAX_ENTRIES
    entries, and more than MAX_UNPACKED_BYTES in total (zip bombs). The bag
    is the directory holding bagit.txt: the zip's root or its one top folder.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(_("The file is not a zip archive.")) from None
    root = dest.resolve()
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ENTRIES:
            raise ValidationError(_("The archive holds too many files."))
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise ValidationError(_("The archive is too large once unpacked."))
        for member in members:
            name = member.filename
            mode = member.external_attr >> 16
            unsafe = (
                name.startswith(("/", "\\"))
                or re.match(r"^[A-Za-z]:", name)
                or ".." in re.split(r"[\\/]", name)
                or "\\" in name
                or stat.S_ISLNK(mode)
            )
            target = (root / name).resolve()
            if unsafe or not (target == root or target.is_relative_to(root)):
                raise ValidationError(
                    _("The archive holds an unsafe path: %(name)s") % {"name": name}
                )
        written = 0
        for member in members:
            target = (root / member.filename).resolve()
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as src, target.open("wb") as out:
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    # The declared sizes may lie: count what really comes out.
                    if written > MAX_UNPACKED_BYTES:
                        raise ValidationError(
                            _("The archive is too large once unpacked.")
                        )
                    out.write(chunk)
    if (root / "bagit.txt").is_file():
        return root
    folders = [child for child in root.iterdir() if child.is_dir()]
    if len(folders) == 1 and (folders[0] / "bagit.txt").is_file():
        return folders[0]
    raise ValidationError(_("The archive does not hold a BagIt bag (no bagit.txt)."))


def _file_digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _named_problems(bag: bagit.Bag, error: bagit.BagValidationError) -> list[str]:
    """Messages naming each file that fails validation. bagit names files
    for checksum and completeness errors; when it stops early on the
    Payload-Oxum (a file changed size), the files are found here."""
    details = list(error.details or [])
    if not details:
        only_in_manifests, only_on_disk = bag.compare_manifests_with_fs()
        details += [bagit.FileMissing(path) for path in only_in_manifests]
        details += [bagit.UnexpectedFile(path) for path in only_on_disk]
        missing = set(only_in_manifests)
        for rel_path, hashes in bag.entries.items():
            if rel_path in missing:
                continue
            for algorithm, expected in hashes.items():
                found = _file_digest(Path(bag.path) / rel_path, algorithm)
                if found != expected.lower():
                    details.append(
                        bagit.ChecksumMismatch(rel_path, algorithm, expected, found)
                    )
                    break
    messages = []
    for detail in details:
        if isinstance(detail, bagit.ChecksumMismatch):
            messages.append(
                _(
                    "%(path)s was altered: its %(algorithm)s checksum does not "
                    "match the manifest."
                )
                % {"path": detail.path, "algorithm": detail.algorithm}
            )
        elif isinstance(detail, bagit.FileMissing):
            messages.append(
                _("%(path)s is listed in the manifest but missing.")
                % {"path": detail.path}
            )
        elif isinstance(detail, bagit.UnexpectedFile):
            messages.append(
                _("%(path)s is not listed in the manifest.") % {"path": detail.path}
            )
    return messages or [str(error)]


def open_bag(path: str | Path) -> bagit.Bag:
    """Open and fully validate a bag (every checksum of every manifest and
    tag manifest); refuse it, naming the files, on any problem."""
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as error:
        raise ValidationError(
            _("This is not a valid BagIt bag: %(error)s") % {"error": error}
        ) from None
    if any(True for _entry in bag.fetch_entries()):
        raise ValidationError(
            _("The bag refers to files to fetch from elsewhere (fetch.txt).")
        )
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as error:
        problems = _named_problems(bag, error)
        raise ValidationError(
            [_("The handover package was altered or is incomplete:"), *problems]
        ) from None
    except bagit.BagError as error:
        raise ValidationError(
            _("This is not a valid BagIt bag: %(error)s") % {"error": error}
        ) from None
    return bag


def _metadata_files(bag: bagit.Bag) -> list[str]:
    """The payload's metadata.json files (data/<id>/metadata.json), in
    document order."""
    found = [
        rel
        for rel in bag.payload_entries()
        if re.fullmatch(r"data/\d+/metadata\.json", rel)
    ]
    return sorted(found, key=lambda rel: int(rel.split("/")[1]))


def _read_json(bag: bagit.Bag, rel_path: str) -> dict:
    try:
        data = json.loads((Path(bag.path) / rel_path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(
            _("%(path)s is not valid JSON.") % {"path": rel_path}
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(_("%(path)s is not a JSON object.") % {"path": rel_path})
    return data


def _imported_fields(metadata: dict, rel_path: str) -> dict:
    """The metadata a receiving organization registers the record with."""
    fields = metadata.get("fields") or {}
    values = {}
    for name in IMPORTED_FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        values[name] = parse_date(value) if name in _DATE_FIELDS else value
    if not values.get("issuer_name"):
        # An outgoing record was issued by the organization handing it over.
        values["issuer_name"] = (metadata.get("organization") or {}).get("name", "")
    kind = metadata.get("doc_type") or {}
    doc_type = DocumentType.objects.filter(
        system=kind.get("system"), code=kind.get("code")
    ).first()
    if doc_type is None:
        raise ValidationError(
            _("%(path)s names an unknown document type %(code)s.")
            % {"path": rel_path, "code": kind.get("code")}
        )
    values["doc_type"] = doc_type
    if metadata.get("issuer_code"):
        issuer = Organization.objects.filter(code=metadata["issuer_code"]).first()
        if issuer is not None:
            values["issuer"] = issuer
    return values


def _payload_file(bag: bagit.Bag, folder: str, entry: dict, rel_meta: str) -> Path:
    """The bag file a metadata entry points at; it must be in the manifest
    (so it was validated) and hash to what the metadata says."""
    rel = f"{folder}/{entry.get('path', '')}"
    if rel not in bag.entries or ".." in rel.split("/"):
        raise ValidationError(
            _("%(path)s lists a file that is not in the package: %(file)s")
            % {"path": rel_meta, "file": rel}
        )
    expected = (entry.get("sha256") or "").lower()
    if bag.entries[rel].get("sha256", "").lower() != expected:
        raise ValidationError(
            _("%(file)s does not match the SHA-256 in %(path)s.")
            % {"file": rel, "path": rel_meta}
        )
    return Path(bag.path) / rel


def _keep_audit_excerpt(bag: bagit.Bag):
    """Store the sender's audit excerpt (a text file) for the package."""
    path = Path(bag.path) / "data" / "audit.jsonl"
    if "data/audit.jsonl" not in bag.entries or path.stat().st_size == 0:
        return None
    try:
        with path.open("rb") as handle:
            return storage.store_file(handle, name="audit.jsonl")
    except storage.FileRejected:
        return None


def import_bag(
    path: str | Path, *, organization: Organization, acting_user
) -> list[Document]:
    """Validate a bag and register its records in `organization`.

    GIVEN a handover package and a clerk of the receiving organization
    WHEN it is imported
    THEN every checksum is verified first (an altered package is refused,
    naming the file, and nothing is stored); each record becomes a registered
    incoming document with its files, metadata and text; each import and
    the package are audited. A package is imported once per organization.
    """
    if not permissions.has_permission(acting_user, IMPORT_PERMISSION, organization):
        raise PermissionDenied
    bag = open_bag(path)
    identifier = str(bag.info.get("External-Identifier") or "")
    if (
        identifier
        and HandoverPackage.objects.filter(
            organization=organization,
            direction=PackageDirection.IMPORT,
            external_identifier=identifier,
        ).exists()
    ):
        raise ValidationError(
            _("The package %(id)s was already imported here.") % {"id": identifier}
        )
    metadata_files = _metadata_files(bag)
    if not metadata_files:
        raise ValidationError(_("The package holds no records."))
    created: list[Document] = []
    with transaction.atomic():
        for rel_meta in metadata_files:
            folder = rel_meta.rsplit("/", 1)[0]
            metadata = _read_json(bag, rel_meta)
            values = _imported_fields(metadata, rel_meta)
            entries = sorted(
                metadata.get("attachments") or [],
                key=lambda entry: not entry.get("is_main"),
            )
            with ExitStack() as stack:
                uploads = []
                for entry in entries:
                    file_path = _payload_file(bag, folder, entry, rel_meta)
                    handle = stack.enter_context(file_path.open("rb"))
                    uploads.append(File(handle, name=entry.get("name") or "file"))
                document = documents.create_incoming(
                    organization=organization,
                    acting_user=acting_user,
                    files=uploads,
                    **values,
                )
            _restore_text(document, entries)
            source = metadata.get("organization") or {}
            note = _(
                "Received in handover package %(package)s (record #%(id)s of "
                "%(source)s)."
            ) % {
                "package": identifier,
                "id": metadata.get("id"),
                "source": source.get("name", ""),
            }
            DocumentEvent.objects.create(
                document=document,
                action="archive_imported",
                actor=acting_user,
                status=document.status,
                note=note,
            )
            audit.record(
                "archive.imported",
                obj=document,
                actor=acting_user,
                changes={
                    "package": [None, identifier],
                    "source_document": [None, metadata.get("id")],
                    "source_organization": [None, source.get("code")],
                },
            )
            created.append(document)
        package = HandoverPackage.objects.create(
            organization=organization,
            direction=PackageDirection.IMPORT,
            external_identifier=identifier or f"unnamed-{uuid.uuid4().hex[:12]}",
            source_organization=str(bag.info.get("Source-Organization") or ""),
            payload_oxum=str(bag.info.get("Payload-Oxum") or ""),
            bag_info=dict(bag.info),
            audit_file=_keep_audit_excerpt(bag),
            created_by=acting_user,
        )
        package.documents.set(created)
    return created


def _restore_text(document: Document, entries: list[dict]) -> None:
    """Give the new attachments the text (OCR or embedded) they had."""
    texts = {entry.get("sha256"): entry.get("text") or "" for entry in entries}
    for attachment in Attachment.objects.filter(document=document).select_related(
        "stored_file"
    ):
        text = texts.get(attachment.stored_file.sha256)
        if text:
            attachment.text = text
            attachment.save(update_fields=["text"])


def import_zip(
    upload: IO[bytes], *, organization: Organization, acting_user
) -> list[Document]:
    """Unpack a zipped bag into a private temporary directory, import it,
    and clean up whatever happens."""
    if not permissions.has_permission(acting_user, IMPORT_PERMISSION, organization):
        raise PermissionDenied
    workdir = Path(tempfile.mkdtemp(prefix="hoso-bag-", dir=_work_root()))
    try:
        bag_dir = safe_extract(upload, workdir)
        return import_bag(bag_dir, organization=organization, acting_user=acting_user)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _work_root() -> str | None:
    """Where bags are built and unpacked: the system's temporary directory
    unless HOSO_DATA_DIR has a `tmp` folder (keeps large bags off /tmp)."""
    candidate = Path(settings.DATA_DIR) / "tmp"
    return str(candidate) if candidate.is_dir() else None


def export_zip(
    documents: Iterable, *, acting_user
) -> tuple[HandoverPackage, IO[bytes]]:
    """Export a bag and return it zipped in an anonymous temporary file
    (deleted when closed), positioned at the start."""
    workdir = Path(tempfile.mkdtemp(prefix="hoso-bag-", dir=_work_root()))
    try:
        package = export_package(documents, acting_user=acting_user, dest_dir=workdir)
        # Handed to the caller (a FileResponse closes it when sent).
        target = tempfile.TemporaryFile(dir=_work_root())  # noqa: SIM115
        zip_bag(package.bag_path, target)
        target.seek(0)
        return package, target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bag_file_name(package: HandoverPackage) -> str:
    return f"{package.external_identifier}.zip"


def describe_bag(path: str | Path) -> dict:
    """What a valid bag says about itself (for the command line)."""
    bag = open_bag(path)
    return {
        "bag_info": dict(bag.info),
        "records": len(_metadata_files(bag)),
        "files": sum(1 for _entry in bag.payload_entries()),
        "path": os.fspath(path),
    }

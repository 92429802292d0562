"""Cleaning an organization's archive: exact and near-duplicate documents.

Interface for intake (digitization, registration forms, imports)
-----------------------------------------------------------------
Before or after a scanned record becomes a document, ask:

    find_duplicates(organization, *, sha256=None, text=None, threshold=0.8,
                    exclude=None, user=None) -> list[DuplicateMatch]

`DuplicateMatch` is a named tuple `(document, kind, similarity)`: `kind` is
"exact" (a file of that document has the same SHA-256) or "near" (the
estimated Jaccard similarity of the texts' 5-word shingles is at least
`threshold`), `similarity` is 1.0 for exact matches. Exact matches come
first, then by similarity. Only documents of `organization` are considered,
never another organization's; with `user`, only documents that user may see
(pass it whenever the result is shown to someone). `exclude` is a document
(or id) to leave out, e.g. the one being checked. No row is written: this is
the question to ask while a clerk still reviews the record. Exact matches
look at every file of every document; near matches look at fingerprinted
documents (all of them once the archive was scanned, and every document
passed to `flag_document` since). The same question over HTTP:
`POST /api/v1/archive/duplicates/check`.

Once the record is a document, with its files and their text in place:

    flag_document(document, *, acting_user=None, threshold=0.8)
        -> list[DuplicateFlag]

fingerprints the document (SHA-256 of its main file, MinHash of its text,
LSH band keys) and records a pending `DuplicateFlag` for every match, so it
shows in the duplicates report. It is idempotent: call it again after the OCR
text changed. `scan_organization` does the same for a whole archive (the
`hoso archive dedup ORG_CODE` command and the "Scan" button).

Decisions (`decide(flag, decision, acting_user)`) are keep, merge or ignore,
audited; merge keeps the older document and links the newer one to it with a
timeline note on both. Nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.archive import minhash
from hoso.archive.choices import Decision, DuplicateKind
from hoso.archive.models import DocumentFingerprint, DuplicateFlag, FingerprintBand
from hoso.core import audit, permissions
from hoso.documents.models import Attachment, Document, DocumentEvent
from hoso.organizations.models import Organization

DEFAULT_THRESHOLD = 0.8
# Candidates compared in full per lookup, those sharing the most bands
# first: bounds the work when boilerplate makes many documents alike.
CANDIDATE_LIMIT = 200
# Documents fingerprinted per transaction during a scan (bounded memory).
SCAN_CHUNK = 200
# Bump when the text extraction changes, so every fingerprint is rebuilt.
FINGERPRINT_VERSION = "1"


class DuplicateMatch(NamedTuple):
    """A document that looks like the one asked about."""

    document: Document
    kind: str
    similarity: float


@dataclass
class ScanResult:
    """What `scan_organization` did."""

    documents: int = 0
    fingerprinted: int = 0
    flags_created: int = 0


# Fingerprints -----------------------------------------------------------------


def _attachments(document: Document) -> list[Attachment]:
    """The document's attachments, main file first (uses a prefetch if any)."""
    items = list(document.attachments.all())
    items.sort(key=lambda item: (not item.is_main, item.created, item.pk))
    return items


def document_text(document: Document) -> str:
    """The text a document is compared by: its body and its files' text
    (embedded or from OCR). The excerpt is left out on purpose: excerpts
    follow set formulas ("Về việc…") and would make unrelated documents
    look alike."""
    parts = [document.body or ""]
    parts.extend(item.text or "" for item in _attachments(document))
    return "\n".join(part for part in parts if part.strip())


def main_file_sha256(document: Document) -> str:
    """SHA-256 of the document's main file ('' when it has no file)."""
    items = _attachments(document)
    return items[0].stored_file.sha256 if items else ""


def _source_digest(sha256: str, text: str) -> str:
    payload = "\0".join([FINGERPRINT_VERSION, sha256, text])
    return hashlib.sha256(payload.encode()).hexdigest()


def fingerprint_document(
    document: Document, *, force: bool = False
) -> DocumentFingerprint:
    """Build (or refresh) the document's fingerprint and its LSH bands.

    Nothing is recomputed when neither the main file nor the text changed
    since the last time, unless `force`.
    """
    text = document_text(document)
    sha256 = main_file_sha256(document)
    digest = _source_digest(sha256, text)
    existing = DocumentFingerprint.objects.filter(document=document).first()
    if existing is not None and existing.source_digest == digest and not force:
        return existing
    shingle_set = minhash.shingles(text)
    signature = minhash.minhash_of_shingles(shingle_set)
    with transaction.atomic():
        fingerprint, _created = DocumentFingerprint.objects.update_or_create(
            document=document,
            defaults={
                "organization_id": document.organization_id,
                "sha256": sha256,
                "minhash": minhash.pack(signature) if signature else None,
                "shingle_count": len(shingle_set),
                "source_digest": digest,
            },
        )
        FingerprintBand.objects.filter(fingerprint=fingerprint).delete()
        FingerprintBand.objects.bulk_create(
            [
                FingerprintBand(
                    fingerprint=fingerprint,
                    organization_id=document.organization_id,
                    band=band,
                    key=key,
                )
                for band, key in enumerate(minhash.band_keys(signature))
            ]
        )
    return fingerprint


# Finding duplicates -----------------------------------------------------------


def _exact_ids(organization: Organization, sha256: str) -> set[int]:
    """Documents of the organization with a file of this SHA-256."""
    return set(
        Attachment.objects.filter(
            stored_file__sha256=sha256, document__organization=organization
        ).values_list("document_id", flat=True)
    )


def _near_scores(
    organization: Organization, signature: list[int], threshold: float
) -> dict[int, float]:
    """{document id: similarity} of fingerprints at or above the threshold,
    found through shared LSH band keys and confirmed on the full signature."""
    keys = minhash.band_keys(signature)
    if not keys:
        return {}
    shared = Q(pk__in=[])
    for band, key in enumerate(keys):
        shared |= Q(band=band, key=key)
    candidates = list(
        FingerprintBand.objects.filter(shared, organization=organization)
        .values("fingerprint_id")
        .annotate(hits=Count("id"))
        .order_by("-hits", "fingerprint_id")
        .values_list("fingerprint_id", flat=True)[:CANDIDATE_LIMIT]
    )
    scores: dict[int, float] = {}
    rows = DocumentFingerprint.objects.filter(pk__in=candidates).values_list(
        "document_id", "minhash"
    )
    for document_id, packed in rows:
        score = minhash.similarity(signature, minhash.unpack(packed))
        if score >= threshold:
            scores[document_id] = score
    return scores


def _matches(
    organization: Organization,
    *,
    sha256: str | None,
    signature: list[int],
    threshold: float,
    exclude: int | None,
    user=None,
) -> list[DuplicateMatch]:
    exact = _exact_ids(organization, sha256) if sha256 else set()
    near = _near_scores(organization, signature, threshold) if signature else {}
    ids = (exact | set(near)) - {exclude}
    if not ids:
        return []
    documents = Document.objects.filter(organization=organization, pk__in=ids)
    if user is not None:
        documents = documents.restrict(user, "view")
    found = []
    for document in documents.select_related("doc_type"):
        if document.pk in exact:
            found.append(DuplicateMatch(document, DuplicateKind.EXACT, 1.0))
        else:
            found.append(
                DuplicateMatch(document, DuplicateKind.NEAR, near[document.pk])
            )
    found.sort(
        key=lambda match: (
            match.kind != DuplicateKind.EXACT,
            -match.similarity,
            match.document.pk,
        )
    )
    return found


def find_duplicates(
    organization: Organization,
    *,
    sha256: str | None = None,
    text: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    exclude: Document | int | None = None,
    user=None,
) -> list[DuplicateMatch]:
    """Documents of `organization` that duplicate a file or a text (see the
    module docstring: this is the intake interface)."""
    signature = minhash.minhash(text) if text else []
    exclude_id = exclude.pk if isinstance(exclude, Document) else exclude
    return _matches(
        organization,
        sha256=sha256,
        signature=signature,
        threshold=threshold,
        exclude=exclude_id,
        user=user,
    )


def _ordered_pair(a: Document, b: Document) -> tuple[Document, Document]:
    """(newer, older): the older one is the document kept on a merge."""
    if (a.created, a.pk) >= (b.created, b.pk):
        return a, b
    return b, a


def _record_flags(document: Document, matches: list[DuplicateMatch]) -> list:
    """Create a pending flag per match; refresh pending ones whose kind or
    similarity changed. Decided flags are left alone."""
    created = []
    for match in matches:
        newer, older = _ordered_pair(document, match.document)
        flag, was_created = DuplicateFlag.objects.get_or_create(
            document=newer,
            other=older,
            defaults={
                "organization_id": document.organization_id,
                "kind": match.kind,
                "similarity": match.similarity,
                "secrecy": max(newer.secrecy, older.secrecy),
            },
        )
        if was_created:
            created.append(flag)
        elif flag.is_pending and (
            flag.kind != match.kind or flag.similarity != match.similarity
        ):
            flag.kind = match.kind
            flag.similarity = match.similarity
            flag.secrecy = max(newer.secrecy, older.secrecy)
            flag.save(update_fields=["kind", "similarity", "secrecy", "updated"])
    return created


def _flag(
    document: Document, fingerprint: DocumentFingerprint, threshold: float
) -> list[DuplicateFlag]:
    matches = _matches(
        document.organization,
        sha256=fingerprint.sha256 or None,
        signature=minhash.unpack(fingerprint.minhash),
        threshold=threshold,
        exclude=document.pk,
    )
    return _record_flags(document, matches)


@transaction.atomic
def flag_document(
    document: Document, *, acting_user=None, threshold: float = DEFAULT_THRESHOLD
) -> list[DuplicateFlag]:
    """Fingerprint a document and flag its duplicates in its organization.

    GIVEN a document that just entered the archive (scan intake, import)
    WHEN its fingerprint matches another document's file or text
    THEN a pending flag pairs them in the duplicates report, and the
    document's audit trail says so.
    """
    fingerprint = fingerprint_document(document)
    created = _flag(document, fingerprint, threshold)
    if created:
        others = [
            flag.other_id if flag.document_id == document.pk else flag.document_id
            for flag in created
        ]
        audit.record(
            "archive.duplicates_flagged",
            obj=document,
            actor=acting_user,
            changes={"duplicates": [None, others]},
        )
    return created


def scan_organization(
    organization: Organization,
    *,
    acting_user=None,
    threshold: float = DEFAULT_THRESHOLD,
    rebuild: bool = False,
    chunk_size: int = SCAN_CHUNK,
) -> ScanResult:
    """Fingerprint a whole archive and flag its duplicates.

    GIVEN an organization's documents, some never fingerprinted
    WHEN the archive is scanned
    THEN every document whose file or text changed is fingerprinted and
    compared with the rest of the archive, and each duplicate pair gets one
    pending flag. Documents are read in primary-key chunks, each in its own
    transaction, so memory stays bounded and a long scan does not hold locks.
    `rebuild` throws the fingerprints away first (after a tokenizer change).
    A user (the "Scan" button) needs `archive.change_duplicateflag` at the
    organization; the command runs as the system.
    """
    if acting_user is not None and not permissions.has_permission(
        acting_user, "archive.change_duplicateflag", organization
    ):
        raise PermissionDenied
    if rebuild:
        DocumentFingerprint.objects.filter(organization=organization).delete()
    result = ScanResult()
    attachments = Attachment.objects.select_related("stored_file").only(
        "id",
        "document_id",
        "is_main",
        "created",
        "text",
        "stored_file__id",
        "stored_file__sha256",
    )
    last_pk = 0
    while True:
        chunk = list(
            Document.objects.filter(organization=organization, pk__gt=last_pk)
            .select_related("organization", "fingerprint")
            .prefetch_related(Prefetch("attachments", queryset=attachments))
            .order_by("pk")[:chunk_size]
        )
        if not chunk:
            break
        last_pk = chunk[-1].pk
        with transaction.atomic():
            for document in chunk:
                result.documents += 1
                before = getattr(document, "fingerprint", None)
                digest = before.source_digest if before is not None else None
                fingerprint = fingerprint_document(document)
                if fingerprint.source_digest == digest:
                    continue
                result.fingerprinted += 1
                result.flags_created += len(_flag(document, fingerprint, threshold))
    audit.record(
        "archive.dedup_scanned",
        obj=organization,
        actor=acting_user,
        changes={
            "documents": [None, result.documents],
            "fingerprinted": [None, result.fingerprinted],
            "flags_created": [None, result.flags_created],
        },
    )
    return result


# Decisions --------------------------------------------------------------------


DECISIONS = [Decision.KEEP, Decision.MERGE, Decision.IGNORE]


def available_decisions(flag: DuplicateFlag, user) -> list[str]:
    """The decisions this user may take on the flag (drives the buttons)."""
    if not flag.is_pending or not permissions.has_permission(
        user, "archive.change_duplicateflag", flag.organization
    ):
        return []
    return list(DECISIONS)


def merged_into(document: Document) -> Document | None:
    """The older document this one was merged into as a duplicate, if any."""
    flag = (
        DuplicateFlag.objects.filter(document=document, decision=Decision.MERGE)
        .select_related("other")
        .order_by("decided_at")
        .first()
    )
    return flag.other if flag else None


@transaction.atomic
def decide(
    flag: DuplicateFlag, decision: str, acting_user, *, note: str = ""
) -> DuplicateFlag:
    """Keep both documents, merge the newer into the older, or dismiss.

    GIVEN a pending duplicate flag in the user's scope
    WHEN a clerk decides
    THEN the decision, who and when are stored and audited; a merge writes a
    timeline note on both documents linking them, and deletes nothing.
    A decided flag cannot be decided again; a flag outside the user's scope
    does not exist for them (DoesNotExist, a 404).
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose keep, merge or ignore.")})
    flag = (
        DuplicateFlag.objects.restrict(acting_user, "change")
        .select_for_update(of=("self",))
        .select_related("document", "other", "organization")
        .get(pk=flag.pk)
    )
    if not flag.is_pending:
        raise ValidationError(
            {
                "decision": _("This duplicate was already decided: %(decision)s.")
                % {"decision": flag.get_decision_display()}
            }
        )
    flag.decision = decision
    flag.decided_by = acting_user
    flag.decided_at = timezone.now()
    flag.note = note.strip()
    flag.save(update_fields=["decision", "decided_by", "decided_at", "note", "updated"])
    audit.record(
        "archive.duplicate_decided",
        obj=flag,
        actor=acting_user,
        changes={
            "decision": [Decision.PENDING.value, decision],
            "document": [None, flag.document_id],
            "other": [None, flag.other_id],
            "kind": [None, flag.kind],
            "similarity": [None, flag.similarity],
            **({"note": [None, flag.note]} if flag.note else {}),
        },
    )
    if decision == Decision.MERGE:
        _merge(flag, acting_user)
    return flag


def _merge(flag: DuplicateFlag, acting_user) -> None:
    """Link the newer document to the older one (both timelines, audit)."""
    newer, older = flag.document, flag.other
    DocumentEvent.objects.create(
        document=newer,
        action="archive_merged",
        actor=acting_user,
        status=newer.status,
        note=_("Duplicate of %(other)s (document #%(id)s), which is kept.")
        % {"other": older, "id": older.pk},
    )
    DocumentEvent.objects.create(
        document=older,
        action="archive_duplicate",
        actor=acting_user,
        status=older.status,
        note=_("Document #%(id)s (%(other)s) was merged into this one.")
        % {"other": newer, "id": newer.pk},
    )
    audit.record(
        "archive.merged",
        obj=newer,
        actor=acting_user,
        changes={"merged_into": [None, older.pk], "flag": [None, flag.pk]},
    )

"""The documents office: registering, processing, drafting, issuing and
dispatching documents.

Every function here is the one way a workflow step happens (views, API,
commands and jobs call the same): it checks the permission, re-reads the
document inside the transaction within the user's scope, refuses a wrong
starting state, writes the timeline event and the audit entry, and flows the
receiver's status back to the sender for internally dispatched documents.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.accounts.models import Person
from hoso.core import audit, permissions
from hoso.documents import numbering, signatures
from hoso.documents.choices import (
    AssignmentRole,
    Direction,
    RecipientStatus,
    Status,
    Urgency,
)
from hoso.documents.models import (
    Assignment,
    Attachment,
    Document,
    DocumentEvent,
    DocumentType,
    DraftVersion,
    Opinion,
    Recipient,
    ReservedNumber,
)
from hoso.documents.symbols import PARTY, STATE, Symbol, format_symbol
from hoso.organizations.choices import DocumentStyle
from hoso.organizations.models import Organization

# Metadata a clerk may set when receiving or registering a document.
METADATA_FIELDS = [
    "doc_type",
    "symbol",
    "number",
    "issuer_name",
    "issuer",
    "place",
    "issued_date",
    "excerpt",
    "signer_name",
    "signer_position",
    "signer_authority",
    "urgency",
    "secrecy",
    "page_count",
    "copies",
    "recipients_text",
    "due_date",
    "language",
    "body",
]
AUDITED_FIELDS = [*METADATA_FIELDS, "status", "arrival_number", "presented_to"]


# Helpers ---------------------------------------------------------------------


def _require(user, permission: str, organization: Organization) -> None:
    if not permissions.has_permission(user, permission, organization):
        raise PermissionDenied


def _lock(document: Document, user, action: str) -> Document:
    """Re-read the document, locked, within the user's scope for `action`.

    Raises Document.DoesNotExist (a 404 to the caller) when the document is
    outside the scope, so the service never acts on what the user can't reach.
    """
    return (
        Document.objects.restrict(user, action)
        .select_for_update(of=("self",))
        .select_related("organization", "doc_type", "source_recipient")
        .get(pk=document.pk)
    )


def _move(document: Document, to_status: str) -> None:
    if not document.can_move_to(to_status):
        raise ValidationError(
            {
                "status": _(
                    "A document that is “%(current)s” cannot become “%(next)s”."
                )
                % {
                    "current": document.get_status_display(),
                    "next": Status(to_status).label,
                }
            }
        )
    document.status = to_status


def _record(
    document: Document,
    action: str,
    actor,
    note: str = "",
    before: dict | None = None,
    fields: list[str] = AUDITED_FIELDS,
) -> None:
    """Timeline event plus audit entry for one workflow step (`fields`: the
    ones whose change the audit entry shows)."""
    DocumentEvent.objects.create(
        document=document, action=action, actor=actor, status=document.status, note=note
    )
    changes = audit.diff(before or {}, audit.snapshot(document, fields))
    if note:
        changes["note"] = [None, note]
    audit.record(f"documents.{action}", obj=document, actor=actor, changes=changes)


def _flow_back(document: Document, status: str, reason: str = "") -> None:
    """Tell the sender's recipient row what happened to its copy here."""
    recipient = document.source_recipient
    if recipient is None:
        return
    recipient.status = status
    recipient.reason = reason
    recipient.save(update_fields=["status", "reason", "updated"])


def _clean_metadata(fields: dict) -> dict:
    unknown = set(fields) - set(METADATA_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    return fields


def find_duplicates(
    organization: Organization, symbol: str, issuer_name: str, exclude=None
):
    """Incoming documents of the organization with the same number and symbol
    from the same issuer (case-insensitive) — the duplicate alert."""
    if not symbol:
        return Document.objects.none()
    qs = Document.objects.filter(
        organization=organization,
        direction=Direction.INCOMING,
        symbol__iexact=symbol.strip(),
        issuer_name__iexact=(issuer_name or "").strip(),
    ).exclude(status=Status.WITHDRAWN)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs


def leader_of(organization: Organization) -> Person | None:
    """The person a document is presented to by default: the organization's
    current secretary (or deputy)."""
    from hoso.accounts.models import Position

    position = (
        Position.objects.current()
        .filter(
            organization=organization,
            role__code__in=["secretary", "deputy_secretary"],
        )
        .select_related("person")
        .order_by("role__rank", "start_date")
        .first()
    )
    return position.person if position else None


# Incoming --------------------------------------------------------------------


@transaction.atomic
def receive_incoming(
    *, organization: Organization, acting_user, files: Iterable = (), **metadata
) -> Document:
    """Put a document into the organization's incoming box, not yet registered.

    GIVEN a clerk with `documents.add_document` at the organization
    WHEN a document arrives on paper or by upload
    THEN it waits in the inbox (status "received") with its files.
    """
    _require(acting_user, "documents.add_document", organization)
    _clean_metadata(metadata)
    document = Document(
        organization=organization,
        org_path=organization.path,
        direction=Direction.INCOMING,
        status=Status.RECEIVED,
        register_year=timezone.localdate().year,
        arrival_date=timezone.now(),
        created_by=acting_user,
        **metadata,
    )
    document.full_clean(exclude=["org_path"])
    document.save()
    for upload in files:
        attach_file(document, upload, acting_user=acting_user, checked=True)
    _record(document, "received", acting_user)
    return document


@transaction.atomic
def register_incoming(
    document: Document,
    *,
    acting_user,
    present_to: Person | None = None,
    **metadata,
) -> Document:
    """Register a received document: it gets the next arrival number.

    GIVEN a document in the inbox
    WHEN the clerk registers it (fixing its metadata)
    THEN it takes the next arrival number of the year, gap-free; an urgent
    document is presented to the leader at once; the sender of an internally
    dispatched document sees "accepted".
    """
    document = _lock(document, acting_user, "register")
    before = audit.snapshot(document, AUDITED_FIELDS)
    for name, value in _clean_metadata(metadata).items():
        setattr(document, name, value)
    _move(document, Status.REGISTERED)
    year = timezone.localdate().year
    document.register_year = year
    document.arrival_number = numbering.take_number(
        document.organization, numbering.incoming_scope(year)
    )
    document.full_clean(exclude=["org_path"])
    document.save()
    _flow_back(document, RecipientStatus.ACCEPTED)
    _record(document, "registered", acting_user, before=before)
    if present_to is None and document.urgency >= Urgency.URGENT:
        present_to = leader_of(document.organization)
    if present_to is not None:
        present(document, acting_user=acting_user, leader=present_to)
        document.refresh_from_db()
    return document


@transaction.atomic
def create_incoming(
    *,
    organization: Organization,
    acting_user,
    files: Iterable = (),
    present_to: Person | None = None,
    **metadata,
) -> Document:
    """Receive and register in one step (the registration form and the API)."""
    document = receive_incoming(
        organization=organization, acting_user=acting_user, files=files, **metadata
    )
    return register_incoming(document, acting_user=acting_user, present_to=present_to)


@transaction.atomic
def present(document: Document, *, acting_user, leader: Person) -> Document:
    """Present a registered document to a leader for instruction."""
    document = _lock(document, acting_user, "register")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.PRESENTED)
    document.presented_to = leader
    document.save(update_fields=["status", "presented_to", "updated"])
    _record(document, "presented", acting_user, note=leader.full_name, before=before)
    return document


@transaction.atomic
def instruct(
    document: Document,
    *,
    acting_user,
    assignments: list[dict],
    deadline: date | None = None,
    note: str = "",
) -> Document:
    """The leader's instruction: who leads, who coordinates, who is informed,
    and by when.

    GIVEN a registered or presented document and a leader with
    `documents.instruct_document`
    WHEN they instruct with exactly one lead (person or organization)
    THEN the assignments are recorded with the deadline and the document is
    "instructed"; the sender sees "assigned".
    """
    document = _lock(document, acting_user, "instruct")
    before = audit.snapshot(document, AUDITED_FIELDS)
    leads = [a for a in assignments if a.get("role") == AssignmentRole.LEAD]
    if len(leads) != 1:
        raise ValidationError(
            {"assignments": _("Name exactly one lead (a person or an organization).")}
        )
    if deadline and deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline is in the past.")})
    _move(document, Status.INSTRUCTED)
    visible_people = Person.objects.restrict(acting_user, "view")
    visible_orgs = Organization.objects.restrict(acting_user, "view")
    for item in assignments:
        role = item.get("role")
        if role not in AssignmentRole.values:
            raise ValidationError({"assignments": _("Unknown assignment role.")})
        person, organization = item.get("person"), item.get("organization")
        if (person is None) == (organization is None):
            raise ValidationError(
                {"assignments": _("Each assignee is a person or an organization.")}
            )
        if person is not None and not visible_people.filter(pk=person.pk).exists():
            raise Person.DoesNotExist
        if (
            organization is not None
            and not visible_orgs.filter(pk=organization.pk).exists()
        ):
            raise Organization.DoesNotExist
        Assignment.objects.create(
            document=document,
            role=role,
            person=person,
            organization=organization,
            deadline=item.get("deadline") or deadline,
            note=item.get("note", ""),
            instructed_by=acting_user,
        )
    if deadline:
        document.due_date = deadline
    document.save(update_fields=["status", "due_date", "updated"])
    _flow_back(document, RecipientStatus.ASSIGNED)
    _record(document, "instructed", acting_user, note=note, before=before)
    return document


@transaction.atomic
def start_processing(document: Document, *, acting_user) -> Document:
    """The lead specialist starts work on an instructed document."""
    document = _lock(document, acting_user, "process")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.PROCESSING)
    document.save(update_fields=["status", "updated"])
    _flow_back(document, RecipientStatus.PROCESSING)
    _record(document, "processing", acting_user, before=before)
    return document


@transaction.atomic
def complete(
    document: Document, *, acting_user, note: str = "", reply: Document | None = None
) -> Document:
    """Finish handling an incoming document, optionally linking the reply."""
    document = _lock(document, acting_user, "process")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.COMPLETED)
    document.completed_at = timezone.now()
    document.save(update_fields=["status", "completed_at", "updated"])
    document.assignments.filter(done_at__isnull=True).update(done_at=timezone.now())
    if reply is not None:
        reply = Document.objects.restrict(acting_user, "view").get(pk=reply.pk)
        if reply.reply_to_id is None:
            Document.objects.filter(pk=reply.pk).update(reply_to=document)
        note = note or _("Replied by %(symbol)s") % {"symbol": reply.symbol}
    _flow_back(document, RecipientStatus.COMPLETED)
    _record(document, "completed", acting_user, note=note, before=before)
    return document


@transaction.atomic
def return_document(document: Document, *, acting_user, reason: str) -> Document:
    """Send a document back to the clerk (registered) with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for returning it.")})
    document = _lock(document, acting_user, "view")
    if not (
        permissions.has_permission(
            acting_user, "documents.instruct_document", document.organization
        )
        or permissions.has_permission(
            acting_user, "documents.process_document", document.organization
        )
    ):
        raise PermissionDenied
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.REGISTERED)
    document.presented_to = None
    document.save(update_fields=["status", "presented_to", "updated"])
    _record(document, "returned", acting_user, note=reason.strip(), before=before)
    return document


@transaction.atomic
def refuse(document: Document, *, acting_user, reason: str) -> Document:
    """Refuse a received document (wrong addressee, incomplete): the sender
    sees "refused" with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for refusing it.")})
    document = _lock(document, acting_user, "register")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.REFUSED)
    document.save(update_fields=["status", "updated"])
    _flow_back(document, RecipientStatus.REFUSED, reason.strip())
    _record(document, "refused", acting_user, note=reason.strip(), before=before)
    return document


# Outgoing --------------------------------------------------------------------


@transaction.atomic
def create_draft(
    *,
    organization: Organization,
    acting_user,
    doc_type: DocumentType,
    excerpt: str,
    body: str = "",
    direction: str = Direction.OUTGOING,
    **fields,
) -> Document:
    """Start a draft (version 1) in the organization's outgoing register."""
    _require(acting_user, "documents.add_document", organization)
    if direction not in (Direction.OUTGOING, Direction.INTERNAL):
        raise ValidationError({"direction": _("Drafts are outgoing or internal.")})
    _clean_metadata(fields)
    document = Document(
        organization=organization,
        org_path=organization.path,
        direction=direction,
        status=Status.DRAFT,
        doc_type=doc_type,
        excerpt=excerpt,
        body=body,
        issuer=organization,
        issuer_name=organization.name,
        register_year=timezone.localdate().year,
        created_by=acting_user,
        **fields,
    )
    document.full_clean(exclude=["org_path"])
    document.save()
    DraftVersion.objects.create(
        document=document, version=1, excerpt=excerpt, body=body, author=acting_user
    )
    _record(document, "drafted", acting_user)
    return document


@transaction.atomic
def update_draft(document: Document, *, acting_user, **fields) -> Document:
    """Save a new version of a draft (earlier versions are kept)."""
    document = _lock(document, acting_user, "change")
    if document.status not in (Status.DRAFT, Status.IN_REVIEW):
        raise ValidationError({"status": _("Only drafts can be edited.")})
    before = audit.snapshot(document, AUDITED_FIELDS)
    for name, value in _clean_metadata(fields).items():
        setattr(document, name, value)
    document.full_clean(exclude=["org_path"])
    document.save()
    last = document.versions.order_by("-version").first()
    DraftVersion.objects.create(
        document=document,
        version=(last.version if last else 0) + 1,
        excerpt=document.excerpt,
        body=document.body,
        author=acting_user,
    )
    _record(document, "draft_saved", acting_user, before=before)
    return document


@transaction.atomic
def request_opinions(
    document: Document, *, acting_user, people: list[Person]
) -> Document:
    """Ask colleagues for opinions on a draft."""
    document = _lock(document, acting_user, "change")
    if not people:
        raise ValidationError({"people": _("Choose at least one person.")})
    before = audit.snapshot(document, AUDITED_FIELDS)
    if document.status == Status.DRAFT:
        _move(document, Status.IN_REVIEW)
        document.save(update_fields=["status", "updated"])
    elif document.status != Status.IN_REVIEW:
        raise ValidationError({"status": _("Only drafts collect opinions.")})
    visible = Person.objects.restrict(acting_user, "view")
    for person in people:
        if not visible.filter(pk=person.pk).exists():
            raise Person.DoesNotExist
        Opinion.objects.create(
            document=document, person=person, requested_by=acting_user
        )
    names = ", ".join(person.full_name for person in people)
    _record(document, "opinions_requested", acting_user, note=names, before=before)
    return document


@transaction.atomic
def give_opinion(document: Document, *, acting_user, text: str) -> Opinion:
    """Answer an opinion request addressed to the acting user."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Write your opinion.")})
    document = _lock(document, acting_user, "view")
    opinion = (
        Opinion.objects.select_for_update()
        .filter(document=document, person__user=acting_user, given_at__isnull=True)
        .first()
    )
    if opinion is None:
        raise PermissionDenied
    opinion.text = text.strip()
    opinion.given_at = timezone.now()
    opinion.save(update_fields=["text", "given_at"])
    _record(document, "opinion_given", acting_user, note=opinion.text[:500])
    return opinion


@transaction.atomic
def approve(document: Document, *, acting_user, note: str = "") -> Document:
    """The leader approves the draft for numbering and issue."""
    document = _lock(document, acting_user, "approve")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.APPROVED)
    document.save(update_fields=["status", "updated"])
    _record(document, "approved", acting_user, note=note, before=before)
    return document


@transaction.atomic
def send_back_to_draft(document: Document, *, acting_user, reason: str) -> Document:
    """The approver sends a draft back for changes."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    document = _lock(document, acting_user, "approve")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.DRAFT)
    document.save(update_fields=["status", "updated"])
    _record(document, "sent_back", acting_user, note=reason.strip(), before=before)
    return document


def build_symbol(
    organization: Organization, doc_type: DocumentType, number: int, unit: str = "VP"
) -> str:
    """The number and symbol of a document issued by `organization`."""
    issuer = organization.abbreviation or organization.code
    if organization.document_style == DocumentStyle.STATE:
        if doc_type.code == "CV":
            return format_symbol(Symbol(STATE, number, None, issuer, unit=unit))
        return format_symbol(Symbol(STATE, number, doc_type.code, issuer))
    return format_symbol(Symbol(PARTY, number, doc_type.code, issuer))


@transaction.atomic
def reserve_number(
    *, organization: Organization, acting_user, doc_type: DocumentType, note: str = ""
) -> ReservedNumber:
    """Take a number in advance for a document to be issued later."""
    _require(acting_user, "documents.issue_document", organization)
    scope = numbering.outgoing_scope(organization, doc_type.code, timezone.localdate())
    reservation = ReservedNumber.objects.create(
        organization=organization,
        scope=scope,
        number=numbering.take_number(organization, scope),
        note=note,
        reserved_by=acting_user,
    )
    audit.record(
        "documents.number_reserved",
        obj=reservation,
        actor=acting_user,
        organization=organization,
        changes={"scope": [None, scope], "number": [None, reservation.number]},
    )
    return reservation


@transaction.atomic
def issue(
    document: Document,
    *,
    acting_user,
    recipients: Iterable[Organization] = (),
    reservation: ReservedNumber | None = None,
    issued_date: date | None = None,
    **fields,
) -> Document:
    """Number, issue and dispatch an approved document.

    GIVEN an approved draft and a clerk with `documents.issue_document`
    WHEN they issue it to organizations on this system
    THEN it takes the next number of its register (or a reserved one), its
    symbol is built from the number, type code and issuer abbreviation, and
    each recipient finds a copy in its incoming box at once, whose status
    flows back to the sender.
    """
    document = _lock(document, acting_user, "issue")
    before = audit.snapshot(document, AUDITED_FIELDS)
    allowed = {"signer_name", "signer_position", "signer_authority", "recipients_text",
               "page_count", "copies", "place"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(document, name, value)
    _move(document, Status.ISSUED)
    if document.number is None:
        _assign_number(document, issued_date or timezone.localdate(), reservation)
    elif reservation is not None:
        raise ValidationError(
            {"reservation": _("This document already has its number.")}
        )
    document.full_clean(exclude=["org_path"])
    document.save()
    _seal_files(document, acting_user)
    _record(document, "issued", acting_user, note=document.symbol, before=before)
    dispatch(document, acting_user=acting_user, recipients=recipients)
    return document


def _assign_number(
    document: Document, issued_on: date, reservation: ReservedNumber | None = None
) -> None:
    """Give an outgoing or internal document its number and symbol (a
    reserved number when one is given), in the caller's transaction."""
    organization = document.organization
    if document.direction == Direction.INTERNAL:
        scope = numbering.internal_scope(issued_on.year)
    else:
        scope = numbering.outgoing_scope(
            organization, document.doc_type.code, issued_on
        )
    if reservation is not None:
        reservation = ReservedNumber.objects.select_for_update().get(pk=reservation.pk)
        if (
            reservation.organization_id != organization.pk
            or reservation.scope != scope
            or reservation.used_by_id is not None
        ):
            raise ValidationError(
                {"reservation": _("This reserved number cannot be used here.")}
            )
        number = reservation.number
    else:
        number = numbering.take_number(organization, scope)
    document.number = number
    document.numbering_scope = scope
    document.issued_date = issued_on
    document.symbol = build_symbol(organization, document.doc_type, number)
    if reservation is not None:
        document.save()
        reservation.used_by = document
        reservation.save(update_fields=["used_by", "updated"])


def _seal_files(document: Document, acting_user) -> None:
    """At issue, the organization's seal goes on the signed main file
    (overlapping the signer's signature) and on every PDF appendix (top right
    of page 1 with number, symbol and time). Without a seal certificate the
    files go out as they are."""
    from hoso.documents import rendering, storage
    from hoso.signing.services import sign_attachment, sign_issued_document

    seal = signatures.seal_certificate(document.organization)
    if seal is None:
        return
    signed_name = signatures.signed_file_name(document)
    for attachment in document.attachments.select_related("stored_file"):
        if attachment.stored_file.content_type != "application/pdf":
            continue
        data = storage.read_file(attachment.stored_file)
        if attachment.is_main and attachment.name == signed_name:
            _pdf, boxes = rendering.render_document_pdf(document)
            sealed = sign_issued_document(
                data,
                signer_cert=None,
                seal_cert=seal,
                positions=boxes,
                location=document.place,
                acting_user=acting_user,
            )
            signatures.store_signed(
                document, sealed, name=signed_name, acting_user=acting_user
            )
        elif not attachment.is_main:
            sealed = sign_attachment(
                data,
                seal_cert=seal,
                number_symbol=document.symbol,
                location=document.place,
                acting_user=acting_user,
            )
            stored = storage.store_file(
                io.BytesIO(sealed),
                name=attachment.name,
                classified=document.secrecy > 0,
            )
            attachment.stored_file = stored
            attachment.save(update_fields=["stored_file"])
            signatures.verify_attachment(attachment)


def sign_document(
    document: Document, *, acting_user, password: str, otp_token: str = ""
) -> Document:
    """The signer signs an approved document digitally.

    GIVEN an approved draft and a leader with `documents.sign_document` and a
    personal signing certificate
    WHEN they re-enter their password (and TOTP code) and sign
    THEN the document takes its number and symbol, is rendered in the Party
    (or state) layout, and the PAdES-signed PDF becomes its main file; the
    clerk's issue step adds the organization's seal.
    """
    # Checked (and a failure audited) before the signing transaction, so a
    # wrong password is recorded even though nothing else is.
    signatures.reauthenticate(acting_user, password=password, otp_token=otp_token)
    return _sign(document, acting_user)


@transaction.atomic
def _sign(document: Document, acting_user) -> Document:
    from hoso.documents import rendering
    from hoso.signing.services import sign_issued_document

    document = _lock(document, acting_user, "sign")
    if document.status != Status.APPROVED:
        raise ValidationError({"status": _("Only an approved document can be signed.")})
    if document.is_signed:
        raise ValidationError({"status": _("This document is already signed.")})
    certificate = signatures.signer_certificate(acting_user)
    if certificate is None:
        raise ValidationError(
            {
                "certificate": _(
                    "You have no signing certificate. Ask the administrator."
                )
            }
        )
    before = audit.snapshot(document, AUDITED_FIELDS)
    document.signer_name = document.signer_name or acting_user.person.full_name
    if document.number is None:
        _assign_number(document, timezone.localdate())
    document.save()
    pdf, boxes = rendering.render_document_pdf(document)
    signed = sign_issued_document(
        pdf,
        signer_cert=certificate,
        seal_cert=None,
        positions=boxes,
        location=document.place,
        acting_user=acting_user,
    )
    signatures.store_signed(
        document,
        signed,
        name=signatures.signed_file_name(document),
        acting_user=acting_user,
    )
    _record(document, "signed", acting_user, note=document.symbol, before=before)
    return document


def dispatch(document: Document, *, acting_user, recipients: Iterable[Organization]):
    """Deliver an issued document to organizations on this system: a copy
    arrives in each one's incoming box immediately (called inside `issue`)."""
    delivered = []
    for organization in recipients:
        if organization.pk == document.organization_id:
            continue
        recipient, created = Recipient.objects.get_or_create(
            document=document, organization=organization
        )
        if not created:
            continue
        copy = Document.objects.create(
            organization=organization,
            org_path=organization.path,
            direction=Direction.INCOMING,
            status=Status.RECEIVED,
            doc_type=document.doc_type,
            number=document.number,
            symbol=document.symbol,
            issuer=document.organization,
            issuer_name=document.organization.name,
            place=document.place,
            issued_date=document.issued_date,
            excerpt=document.excerpt,
            body=document.body,
            signer_name=document.signer_name,
            signer_position=document.signer_position,
            signer_authority=document.signer_authority,
            urgency=document.urgency,
            secrecy=document.secrecy,
            page_count=document.page_count,
            due_date=document.due_date,
            language=document.language,
            register_year=timezone.localdate().year,
            arrival_date=timezone.now(),
            source_recipient=recipient,
            created_by=acting_user,
        )
        Attachment.objects.bulk_create(
            Attachment(
                document=copy,
                stored_file_id=attachment.stored_file_id,
                name=attachment.name,
                is_main=attachment.is_main,
                # The same bytes, checked against the same trust roots.
                signature_status=attachment.signature_status,
                signature_report=attachment.signature_report,
            )
            for attachment in document.attachments.all()
        )
        DocumentEvent.objects.create(
            document=copy,
            action="received",
            actor=acting_user,
            status=copy.status,
            note=document.organization.name,
        )
        audit.record(
            "documents.delivered",
            obj=copy,
            actor=acting_user,
            changes={"from": [None, document.pk], "symbol": [None, document.symbol]},
        )
        delivered.append(copy)
    return delivered


@transaction.atomic
def recall(document: Document, *, acting_user, reason: str) -> Document:
    """Recall an issued document: every recipient's copy is withdrawn."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the recall.")})
    document = _lock(document, acting_user, "issue")
    before = audit.snapshot(document, AUDITED_FIELDS)
    _move(document, Status.RECALLED)
    document.save(update_fields=["status", "updated"])
    for recipient in document.dispatches.select_related("delivered_copy"):
        recipient.status = RecipientStatus.RECALLED
        recipient.reason = reason.strip()
        recipient.save(update_fields=["status", "reason", "updated"])
        copy = getattr(recipient, "delivered_copy", None)
        if copy is not None and copy.status != Status.WITHDRAWN:
            copy_before = audit.snapshot(copy, AUDITED_FIELDS)
            copy.status = Status.WITHDRAWN
            copy.save(update_fields=["status", "updated"])
            _record(
                copy, "withdrawn", acting_user, note=reason.strip(), before=copy_before
            )
    _record(document, "recalled", acting_user, note=reason.strip(), before=before)
    return document


# Files -----------------------------------------------------------------------


def attach_file(
    document: Document, upload, *, acting_user, is_main: bool = False, checked=False
) -> Attachment:
    """Store a file (content-addressed, type checked by content, encrypted
    when the document is classified) and attach it to the document."""
    from hoso.documents import storage

    if not checked:
        document = _lock(document, acting_user, "change")
    name = getattr(upload, "name", None) or "file"
    stored = storage.store_file(upload, name=name, classified=document.secrecy > 0)
    attachment = Attachment.objects.create(
        document=document,
        stored_file=stored,
        name=name.rsplit("/", 1)[-1][:255],
        is_main=is_main or not document.attachments.exists(),
    )
    # Every PDF received has its signatures validated on arrival.
    signatures.verify_attachment(attachment)
    audit.record(
        "documents.file_attached",
        obj=document,
        actor=acting_user,
        changes={"file": [None, attachment.name], "sha256": [None, stored.sha256]},
    )
    return attachment


# Queries for the desks ---------------------------------------------------------


def hand_over_documents(
    source: Organization, target: Organization, *, acting_user, reason: str
) -> int:
    """Move the documents `source` still has in hand to `target`
    (restructuring); returns how many moved.

    Called by the organization restructuring service, which has checked the
    permission on both organizations and holds the transaction. Every open
    document moves, classified ones included: an ended organization can no
    longer handle anything, so nothing may stay behind. The organization and
    its path copy change; the register, number and symbol do not (numbers
    are never reused or rewritten). Issued and closed documents stay with
    the source as its history.
    """
    moved = 0
    documents = Document.objects.filter(organization=source).in_hand()
    for document in documents.select_for_update(of=("self",)).order_by("pk"):
        before = audit.snapshot(document, ["organization", "org_path"])
        document.organization = target
        document.org_path = target.path
        document.save(update_fields=["organization", "org_path", "updated"])
        _record(
            document,
            "handed_over",
            acting_user,
            note=reason,
            before=before,
            fields=["organization", "org_path"],
        )
        moved += 1
    return moved


def inbox(user):
    """Received, not yet registered documents (the clerk's inbox)."""
    return Document.objects.restrict(user, "register").filter(
        direction=Direction.INCOMING, status=Status.RECEIVED
    )


def awaiting_instruction(user):
    """Documents presented to this user (the leader's queue)."""
    return Document.objects.restrict(user, "instruct").filter(
        status=Status.PRESENTED, presented_to__user=user
    )


def assigned_to(user):
    """Open documents where this user (or their organization) leads or
    coordinates."""
    from hoso.accounts.models import Position

    org_ids = (
        Position.objects.current().filter(person__user=user).values("organization_id")
    )
    return (
        Document.objects.restrict(user, "view")
        .filter(status__in=[Status.INSTRUCTED, Status.PROCESSING])
        .filter(
            Q(assignments__person__user=user)
            | Q(
                assignments__organization_id__in=org_ids,
                assignments__role__in=[AssignmentRole.LEAD, AssignmentRole.COORDINATE],
            )
        )
        .distinct()
    )


def overdue(user):
    """Open incoming documents past their deadline, in the user's scope."""
    return Document.objects.restrict(user, "view").overdue()


def waiting_items(user) -> list[tuple[str, int, str]]:
    """The user's document desks with their counts, for the home page."""
    from django.urls import reverse

    return [
        (_("Documents to register"), inbox(user).count(), reverse("documents:inbox")),
        (
            _("Documents waiting for my instruction"),
            awaiting_instruction(user).count(),
            reverse("documents:awaiting"),
        ),
        (
            _("Documents assigned to me"),
            assigned_to(user).count(),
            reverse("documents:assigned"),
        ),
        (_("Overdue documents"), overdue(user).count(), reverse("documents:overdue")),
    ]

"""Digital signatures on documents: the signing step, sealing at issue, and
verification of every PDF received.

The cryptography lives in `hoso.signing`; this module decides which file is
signed with which certificate at which workflow step, and records the results
next to the attachments. Stored files are never rewritten: each signature
produces new bytes stored under their own hash, and the attachment points at
the newest version (the audit log keeps every version's hash).
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hoso.core import audit
from hoso.documents.choices import SignatureStatus
from hoso.documents.models import Attachment, Document

PDF = "application/pdf"


def verify_attachment(attachment: Attachment) -> str:
    """Validate the signatures of a PDF attachment and store the result (other
    files are marked unsigned). Returns the status."""
    from hoso.documents import storage
    from hoso.signing.services import UnreadablePdfError, overall_status, verify_pdf

    stored = attachment.stored_file
    if stored.content_type != PDF:
        status, report = SignatureStatus.UNSIGNED, []
    else:
        try:
            reports = verify_pdf(storage.read_file(stored))
        except UnreadablePdfError:
            reports = []
        status = overall_status(reports)
        report = [item.as_dict() for item in reports]
    attachment.signature_status = status
    attachment.signature_report = report
    attachment.save(update_fields=["signature_status", "signature_report"])
    return status


def signer_certificate(user):
    """The acting user's usable personal signing certificate."""
    from hoso.signing.models import Certificate

    person = getattr(user, "person", None)
    if person is None:
        return None
    return Certificate.objects.for_person(person).usable().order_by("-created").first()


def seal_certificate(organization):
    """The organization's usable seal certificate."""
    from hoso.signing.models import Certificate

    return (
        Certificate.objects.for_organization(organization)
        .usable()
        .order_by("-created")
        .first()
    )


def reauthenticate(user, *, password: str, otp_token: str = "") -> None:
    """Signing asks the signer to prove it is them again: the password, and
    the TOTP code when they have a device. Failures are audited."""
    from django_otp import devices_for_user, match_token

    ok = bool(password) and user.check_password(password)
    if ok and any(True for _d in devices_for_user(user, confirmed=True)):
        ok = match_token(user, (otp_token or "").strip()) is not None
    if not ok:
        audit.record(
            "documents.sign_reauth_failed",
            actor=user,
            object_type="auth.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
        )
        raise ValidationError(
            {"password": _("Re-enter your password (and code) to sign.")}
        )


def store_signed(
    document: Document, data: bytes, *, name: str, acting_user
) -> Attachment:
    """Store a signed PDF as the document's main file (new bytes, new hash)."""
    from hoso.documents import storage

    stored = storage.store_file(
        io.BytesIO(data), name=name, classified=document.secrecy > 0
    )
    attachment = document.attachments.filter(is_main=True, name=name).first()
    if attachment is None:
        document.attachments.filter(is_main=True).update(is_main=False)
        attachment = Attachment.objects.create(
            document=document, stored_file=stored, name=name, is_main=True
        )
    else:
        attachment.stored_file = stored
        attachment.save(update_fields=["stored_file"])
    verify_attachment(attachment)
    audit.record(
        "documents.signed_file_stored",
        obj=document,
        actor=acting_user,
        changes={"file": [None, name], "sha256": [None, stored.sha256]},
    )
    return attachment


def signed_file_name(document: Document) -> str:
    symbol = (document.symbol or f"du-thao-{document.pk}").replace("/", "_")
    return f"{symbol}.pdf"

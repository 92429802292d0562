"""Signing PDFs (PAdES) and verifying the signatures on received PDFs.

The functions take bytes and return bytes or reports; they know nothing of
documents, so the documents office, internal dispatch and the exchange with
other systems all call the same code. Every signature is an incremental
update: the input bytes are an unchanged prefix of the output, earlier
signatures stay valid, and a stored signed file is never rewritten (callers
store the result as a new file).

Coordinates are PDF points (1/72 inch) from the bottom-left corner of the
page, boxes are `(x1, y1, x2, y2)`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner, SimpleSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from hoso.core import audit
from hoso.signing.appearances import BLUE, RED, render_appearance, stamp_style
from hoso.signing.choices import CertificateKind, SignatureStatus
from hoso.signing.images import seal_png, signature_png
from hoso.signing.models import Certificate

Box = tuple[float, float, float, float]
# Party documents give times in Vietnam's time (UTC+07:00, no daylight saving).
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# The default signature block: the signature image between the signer's
# position and name, centred in the right half of the last page.
SIGNATURE_SIZE = (150.0, 70.0)
# A seal about 39 mm across, as on paper.
SEAL_DIAMETER = 110.0
ATTACHMENT_STAMP_SIZE = (215.0, 54.0)
ATTACHMENT_MARGIN = 20.0
# How far in the future a claimed signing time may be (clocks disagree).
CLOCK_SKEW = timedelta(minutes=5)


class SigningError(Exception):
    """A signature that cannot be made; the message says why."""


class UnreadablePdfError(ValueError):
    """The bytes are not a PDF that can be read."""


# -- signing --------------------------------------------------------------


def _asn1_certificate(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _signer(certificate: Certificate) -> SimpleSigner:
    """A pyHanko signer holding the decrypted key, in memory only."""
    key = certificate.private_key()
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return SimpleSigner(
        signing_cert=_asn1_certificate(certificate.x509),
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs(
            [_asn1_certificate(cert) for cert in certificate.chain]
        ),
    )


def _check_usable(certificate: Certificate, moment: datetime, acting_user) -> None:
    if not certificate.has_private_key:
        raise SigningError(_("Hoso holds no private key for this certificate."))
    if certificate.kind not in (CertificateKind.PERSON, CertificateKind.ORGANIZATION):
        raise SigningError(_("Only personal and seal certificates sign documents."))
    if not certificate.is_valid_at(moment):
        raise SigningError(
            _("The certificate %(certificate)s is revoked or not valid on %(time)s.")
            % {"certificate": certificate.subject_cn, "time": iso_time(moment)}
        )
    issuer = certificate.issuer
    if issuer is not None and not issuer.is_valid_at(moment):
        raise SigningError(_("The certificate's issuer is revoked or expired."))
    # A person's key signs only for that person, whoever runs the workflow.
    if (
        acting_user is not None
        and certificate.person_id is not None
        and certificate.person.user_id != acting_user.pk
    ):
        raise SigningError(_("Only its holder may sign with a personal certificate."))


def iso_time(moment: datetime) -> str:
    """ISO 8601 in Vietnam's time, e.g. 2026-01-05T10:30:00+07:00."""
    return moment.astimezone(VIETNAM).isoformat(timespec="seconds")


def _writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    except Exception as exc:
        raise UnreadablePdfError(_("The file is not a readable PDF.")) from exc
    if writer.prev.encrypted:
        raise SigningError(_("Encrypted PDF files cannot be signed."))
    return writer


def page_boxes(pdf_bytes: bytes) -> list[Box]:
    """The visible area (crop box) of every page."""
    try:
        reader = PdfReader(BytesIO(pdf_bytes))
        return [
            tuple(float(v) for v in page.cropbox)  # type: ignore[misc]
            for page in reader.pages
        ]
    except Exception as exc:
        raise UnreadablePdfError(_("The file is not a readable PDF.")) from exc


def _free_field_name(writer: IncrementalPdfFileWriter, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`… when a field has that name."""
    taken = {name for name, _value, _ref in sig_fields.enumerate_sig_fields(writer)}
    name, counter = wanted, 1
    while name in taken:
        counter += 1
        name = f"{wanted}-{counter}"
    return name


def _run(coroutine):
    """Run pyHanko's coroutine to completion from synchronous code, also when
    the caller is itself inside an event loop (then in a worker thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _sign_async(
    pdf_signer: PdfSigner, writer: IncrementalPdfFileWriter, moment: datetime
) -> bytes:
    # PdfSigner.sign_pdf always signs "now"; the session's system time is what
    # both the /M entry and the appearance use, so it is set before the
    # signature object is prepared (same steps as PdfSigner.async_sign_pdf).
    session = pdf_signer.init_signing_session(writer)
    session.system_time = moment
    validation_info = await session.perform_presign_validation(writer)
    reserved = await session.estimate_signature_container_size(
        validation_info, tight=False
    )
    tbs = session.prepare_tbs_document(
        validation_info=validation_info, bytes_reserved=reserved
    )
    digest, output = tbs.digest_tbs_document()
    post_signing = await tbs.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=moment),
    )
    await post_signing.post_signature_processing(output)
    output.seek(0)
    return output.read()


def sign_pdf(
    pdf_bytes: bytes,
    *,
    certificate: Certificate,
    reason: str = "",
    location: str = "",
    field_name: str = "Signature",
    box: Box | None = None,
    page: int = -1,
    image: bytes | None = None,
    lines: Sequence[str] = (),
    timestamp: datetime | None = None,
    acting_user=None,
) -> bytes:
    """Sign `pdf_bytes` with `certificate`: a PAdES baseline B-B signature
    (ETSI.CAdES.detached) appended as an incremental update.

    With `box`, the signature is visible on `page` (an index; negative counts
    from the end): `image` (PNG), else the certificate's own image, with
    `lines` of text on its right when given. Without `box` it is invisible.
    `timestamp` (default now) is the signing time the signature claims.
    The signing is written to the audit chain.
    """
    moment = timestamp or timezone.now()
    if timezone.is_naive(moment):
        raise SigningError("The signing time needs a time zone.")
    if moment > timezone.now() + CLOCK_SKEW:
        raise SigningError(_("A signature cannot claim a time in the future."))
    _check_usable(certificate, moment, acting_user)
    writer = _writer(pdf_bytes)
    page_count = int(writer.root["/Pages"]["/Count"])
    page_index = page if page >= 0 else page_count + page
    if not 0 <= page_index < page_count:
        raise SigningError(_("The document has no page %(page)s.") % {"page": page})
    field_name = _free_field_name(writer, field_name)
    meta = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=sig_fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=certificate.subject_cn,
    )
    style = None
    if box is not None:
        # Widget rectangles are whole points; the appearance is drawn at the
        # rounded size so that it fills the widget exactly.
        box = (round(box[0]), round(box[1]), round(box[2]), round(box[3]))
        x1, y1, x2, y2 = box
        if x2 <= x1 or y2 <= y1:
            raise SigningError("A signature box is (x1, y1, x2, y2) with x1<x2, y1<y2.")
        appearance = render_appearance(
            x2 - x1,
            y2 - y1,
            image=image or certificate.image_bytes() or _default_image(certificate),
            lines=lines,
            color=RED if certificate.kind == CertificateKind.ORGANIZATION else BLUE,
            border=bool(lines),
        )
        style = stamp_style(appearance)
    pdf_signer = PdfSigner(
        meta,
        signer=_signer(certificate),
        stamp_style=style,
        new_field_spec=sig_fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=page_index,
            box=box,
        ),
    )
    signed = _run(_sign_async(pdf_signer, writer, moment))
    audit.record(
        "signing.signed",
        actor=acting_user,
        organization=certificate.organization,
        object_type="signing.certificate",
        object_id=str(certificate.pk),
        object_repr=str(certificate)[:255],
        changes={
            "field": field_name,
            "reason": reason,
            "signing_time": iso_time(moment),
            "page": page_index,
            "visible": box is not None,
            "sha256_before": hashlib.sha256(pdf_bytes).hexdigest(),
            "sha256_after": hashlib.sha256(signed).hexdigest(),
        },
    )
    return signed


def _default_image(certificate: Certificate) -> bytes:
    if certificate.kind == CertificateKind.ORGANIZATION:
        return seal_png(certificate.subject_cn)
    return signature_png(certificate.subject_cn)


def seal_box_for(signature: Box, diameter: float = SEAL_DIAMETER) -> Box:
    """The seal's box for a signature box: the seal overlaps the left third
    of the signature and is centred on it vertically."""
    x1, y1, x2, y2 = signature
    right = x1 + (x2 - x1) / 3
    middle = (y1 + y2) / 2
    return (right - diameter, middle - diameter / 2, right, middle + diameter / 2)


def default_positions(page: Box) -> dict[str, Any]:
    """The signature block when the renderer gives none: the signature in the
    right half of the last page near the bottom, the seal over its left third."""
    px1, py1, px2, py2 = page
    width, height = SIGNATURE_SIZE
    centre_x = px1 + (px2 - px1) * 0.72
    bottom = py1 + (py2 - py1) * 0.14
    signature = (centre_x - width / 2, bottom, centre_x + width / 2, bottom + height)
    return {"page": -1, "signature": signature, "seal": seal_box_for(signature)}


def sign_issued_document(
    pdf_bytes: bytes,
    *,
    signer_cert: Certificate | None,
    seal_cert: Certificate | None,
    positions: dict[str, Any] | None = None,
    reason: str = "",
    location: str = "",
    timestamp: datetime | None = None,
    acting_user=None,
) -> bytes:
    """Sign an issued document: the signer's signature, then the
    organization's seal, as two signatures (an approval chain).

    `positions` comes from the renderer: `{"page": index, "signature": box,
    "seal": box}`; a missing seal box overlaps the signature's left third
    (`seal_box_for`), a missing signature box is the default block
    (`default_positions`). The person signs as `acting_user`; the seal is
    applied by the same user on the organization's behalf (who may apply a
    seal is the caller's policy).
    """
    if signer_cert is None and seal_cert is None:
        raise SigningError(_("Nothing to sign with."))
    positions = dict(positions or {})
    page = int(positions.get("page", -1))
    if "signature" not in positions:
        boxes = page_boxes(pdf_bytes)
        try:
            page_box = boxes[page]
        except IndexError as exc:
            raise SigningError(
                _("The document has no page %(page)s.") % {"page": page}
            ) from exc
        positions = {**default_positions(page_box), **positions}
    signature_box = positions["signature"]
    seal_box = positions.get("seal") or seal_box_for(signature_box)
    moment = timestamp or timezone.now()
    signed = pdf_bytes
    if signer_cert is not None:
        signed = sign_pdf(
            signed,
            certificate=signer_cert,
            reason=reason or _("Signed for issue"),
            location=location,
            field_name="Hoso-Signer",
            box=signature_box,
            page=page,
            timestamp=moment,
            acting_user=acting_user,
        )
    if seal_cert is not None:
        signed = sign_pdf(
            signed,
            certificate=seal_cert,
            reason=_("Seal of %(name)s") % {"name": seal_cert.subject_cn},
            location=location,
            field_name="Hoso-Seal",
            box=seal_box,
            page=page,
            timestamp=moment,
            acting_user=acting_user,
        )
    return signed


def attachment_stamp_box(page: Box) -> Box:
    """The top-right corner of a page, where attachments carry the seal."""
    px1, py1, px2, py2 = page
    width, height = ATTACHMENT_STAMP_SIZE
    right = px2 - ATTACHMENT_MARGIN
    top = py2 - ATTACHMENT_MARGIN
    return (right - width, top - height, right, top)


def sign_attachment(
    pdf_bytes: bytes,
    *,
    seal_cert: Certificate,
    number_symbol: str,
    signing_time: datetime | None = None,
    location: str = "",
    acting_user=None,
) -> bytes:
    """Seal an attachment: the organization's signature at the top right of
    page 1 showing the organization, the document's number and symbol, and the
    signing time in ISO 8601 with +07:00."""
    moment = signing_time or timezone.now()
    box = attachment_stamp_box(page_boxes(pdf_bytes)[0])
    return sign_pdf(
        pdf_bytes,
        certificate=seal_cert,
        reason=_("Attachment to %(symbol)s") % {"symbol": number_symbol},
        location=location,
        field_name="Hoso-Attachment-Seal",
        box=box,
        page=0,
        lines=[seal_cert.subject_cn, number_symbol, iso_time(moment)],
        timestamp=moment,
        acting_user=acting_user,
    )


# -- verification ---------------------------------------------------------


@dataclass
class SignatureReport:
    """What verification found about one signature.

    `intact`: the signed bytes are unchanged. `signature_ok`: intact, the
    signature matches them, the claimed signing time is not in the future,
    and later changes to the file are ones a signature allows (further
    signatures, form filling) — whoever signed. `trusted`: the signer's
    certificate chains to a trusted root (Hoso's internal CA or an imported
    root), was valid at the signing time and not revoked by then. `valid`:
    the overall verdict, both `signature_ok` and `trusted`.
    """

    field_name: str
    signer_cn: str = ""
    issuer_cn: str = ""
    serial: str = ""
    signing_time: datetime | None = None
    intact: bool = False
    signature_ok: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    revocation_checked: bool = False
    covers_whole_document: bool = False
    certificate_id: int | None = None
    problems: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def status(self) -> str:
        """One of `SignatureStatus`: valid, untrusted or invalid."""
        if not self.signature_ok:
            return SignatureStatus.INVALID
        if not self.trusted:
            return SignatureStatus.UNTRUSTED
        return SignatureStatus.VALID

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for storing next to the file)."""
        data = asdict(self)
        data["signing_time"] = (
            iso_time(self.signing_time) if self.signing_time else None
        )
        data["status"] = str(self.status)
        return data


def overall_status(reports: Iterable[SignatureReport]) -> str:
    """The verdict for a file: unsigned, invalid (any broken signature),
    untrusted (any untrusted one) or valid."""
    statuses = {report.status for report in reports}
    if not statuses:
        return SignatureStatus.UNSIGNED
    for status in (SignatureStatus.INVALID, SignatureStatus.UNTRUSTED):
        if status in statuses:
            return status
    return SignatureStatus.VALID


def _trust_roots() -> list[asn1_x509.Certificate]:
    return [_asn1_certificate(root.x509) for root in Certificate.objects.trust_roots()]


def verify_pdf(pdf_bytes: bytes) -> list[SignatureReport]:
    """Validate every signature in a PDF, in signing order; [] when unsigned.

    Checks integrity (the signed byte ranges), the signature itself, the
    certificate chain against the trusted roots, the signing time against
    the certificate's validity, revocation (Hoso's own records for
    certificates it knows, and CRL/OCSP data embedded in the file; nothing is
    fetched from the network), and whether later changes are allowed ones.
    Raises UnreadablePdfError when the bytes are not a PDF.
    """
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as exc:
        raise UnreadablePdfError(_("The file is not a readable PDF.")) from exc
    if not signatures:
        return []
    roots = _trust_roots()
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    except Exception:
        # A damaged DSS only means no embedded revocation data to use.
        dss = None
    return [_verify_one(signature, roots, dss) for signature in signatures]


def _verify_one(embedded, roots, dss) -> SignatureReport:
    report = SignatureReport(field_name=str(embedded.field_name or ""))
    now = timezone.now()
    try:
        signer_cert = embedded.signer_cert
        report.signer_cn = _cn(signer_cert.subject)
        report.issuer_cn = _cn(signer_cert.issuer)
        report.serial = format(signer_cert.serial_number, "x")
        report.signing_time = embedded.self_reported_timestamp
    except Exception as exc:
        report.problems.append(_("The signature cannot be read: %s") % exc)
        report.summary = _("Unreadable signature.")
        return report
    known = Certificate.objects.filter(fingerprint=signer_cert.sha256.hex()).first()
    report.certificate_id = known.pk if known else None
    # Validate as of the claimed signing time, so that a certificate expired
    # since then does not void the signature; a claim in the future is not
    # believed (beyond the clocks' usual disagreement it voids the signature).
    moment = report.signing_time
    future = moment is not None and moment > now + CLOCK_SKEW
    if future:
        report.problems.append(_("The signing time is in the future."))
    if moment is None or moment > now:
        moment = now
    context_kwargs = {
        "trust_roots": roots,
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
        "moment": moment,
    }
    try:
        context = (
            dss.as_validation_context(context_kwargs)
            if dss is not None
            else ValidationContext(**context_kwargs)
        )
        status = _run(
            async_validate_pdf_signature(
                embedded,
                context,
                key_usage_settings=KeyUsageConstraints(
                    key_usage={"non_repudiation", "digital_signature"}
                ),
            )
        )
    except Exception as exc:
        # Broken structure, unsupported format: certainly not a valid signature.
        report.problems.append(_("The signature cannot be validated: %s") % exc)
        try:
            embedded.compute_integrity_info(skip_diff=True)
            report.intact = bool(embedded.summarise_integrity_info().get("intact"))
        except Exception:
            report.intact = False
        report.summary = _summary(report)
        return report

    report.intact = bool(status.intact)
    report.covers_whole_document = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    report.revoked = bool(status.revoked)
    report.revocation_checked = bool(
        dss is not None and (dss.crls or dss.ocsps)
    ) or _has_revinfo_attribute(embedded)
    if known is not None:
        # Hoso is the authority for certificates it holds: its record counts.
        report.revocation_checked = True
        if known.revoked_at is not None and known.revoked_at <= moment:
            report.revoked = True
    report.trusted = bool(status.trusted) and not report.revoked
    changes_ok = bool(status.docmdp_ok) or report.covers_whole_document
    report.signature_ok = (
        report.intact
        and bool(status.valid)
        and changes_ok
        and status.seed_value_ok
        and not future
    )
    report.valid = report.signature_ok and report.trusted
    if not report.intact:
        report.problems.append(_("The file was changed after it was signed."))
    elif not status.valid:
        report.problems.append(_("The signature does not match the signed data."))
    if report.revoked:
        report.problems.append(_("The certificate was revoked."))
    elif not status.trusted:
        report.problems.append(
            _("The certificate does not chain to a trusted root or was not valid.")
        )
    if report.intact and not changes_ok:
        report.problems.append(_("The file was modified in ways a signature forbids."))
    report.summary = _summary(report)
    return report


def _summary(report: SignatureReport) -> str:
    when = iso_time(report.signing_time) if report.signing_time else _("unknown time")
    values = {"signer": report.signer_cn or _("unknown signer"), "time": when}
    if report.valid:
        text = _("Valid signature of %(signer)s, signed %(time)s.") % values
        if not report.covers_whole_document:
            text += " " + _("Signatures or form fields were added afterwards.")
        return text
    if not report.intact:
        return _("Invalid signature of %(signer)s: the file was changed.") % values
    if report.signature_ok:
        return (
            _(
                "Signature of %(signer)s (signed %(time)s) is from an untrusted or "
                "revoked certificate."
            )
            % values
        )
    return (
        _("Invalid signature of %(signer)s.") % values + " " + " ".join(report.problems)
    )


def _cn(name: asn1_x509.Name) -> str:
    common = name.native.get("common_name")
    if isinstance(common, list):
        common = common[-1]
    return str(common or name.human_friendly)


def _has_revinfo_attribute(embedded) -> bool:
    """Whether the CMS carries Adobe's revocation-info-archival attribute."""
    try:
        attributes = embedded.signer_info["signed_attrs"]
        return any(
            attr["type"].native == "adobe_revocation_info_archival"
            for attr in attributes
        )
    except Exception:
        return False

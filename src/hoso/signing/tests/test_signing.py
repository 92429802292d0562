"""Signing and verifying PDFs: the internal CA, PAdES signatures checked by
pyHanko and independently by Poppler's `pdfsig`, tampering, approval chains,
untrusted and revoked certificates, keys at rest."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from hoso.core.models import AuditEntry
from hoso.core.testing.factories import (
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
)
from hoso.signing import ca
from hoso.signing.choices import SignatureStatus
from hoso.signing.images import FONT_PATH
from hoso.signing.models import ENCRYPTED_KEY_HEADER, Certificate
from hoso.signing.services import (
    SigningError,
    UnreadablePdfError,
    overall_status,
    sign_attachment,
    sign_issued_document,
    sign_pdf,
    verify_pdf,
)

BOX = (360, 120, 510, 190)


def make_pdf(pages: int = 1) -> bytes:
    """An A4 document with Vietnamese text in the bundled font."""
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_PATH))
    pdf.set_font("DejaVu", size=13)
    for number in range(pages):
        pdf.add_page()
        pdf.multi_cell(
            0,
            8,
            "ĐẢNG ỦY XÃ AN BÌNH\nNGHỊ QUYẾT về chuyển đổi số trong công tác "
            f"văn thư, lưu trữ của Đảng (trang {number + 1}).",
        )
    return bytes(pdf.output())


def pdfsig(tmp_path, data: bytes) -> str:
    """Poppler's independent verdict (it does not know our CA, so it reports
    the issuer as untrusted; the signature validation line is what counts)."""
    assert shutil.which("pdfsig"), "pdfsig (Debian poppler-utils) is required"
    path = tmp_path / "checked.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdfsig", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    return result.stdout + result.stderr


def signature_validations(output: str) -> list[str]:
    return re.findall(r"Signature Validation: (.+)", output)


def flip_signed_byte(signed: bytes) -> bytes:
    """Change one byte inside the first content stream, which every signature
    covers."""
    start = signed.index(b"stream\n") + len(b"stream\n") + 10
    tampered = bytearray(signed)
    tampered[start] ^= 0x01
    return bytes(tampered)


def widget_rects(data: bytes) -> dict[str, list[float]]:
    reader = PdfReader(BytesIO(data))
    rects = {}
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig" or "/T" in annot:
                rects[str(annot["/T"])] = [float(v) for v in annot["/Rect"]]
    return rects


def appearance_text(data: bytes, field_name: str) -> str:
    """The text drawn by a signature widget's appearance stream (pypdf
    extracts it by drawing the appearance on a blank page)."""
    reader = PdfReader(BytesIO(data))
    writer = PdfWriter()
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/T") == field_name:
                appearance = annot["/AP"]["/N"].get_object().clone(writer)
                blank = writer.add_blank_page(600, 300)
                contents = DecodedStreamObject()
                contents.set_data(b"q /Ap Do Q")
                blank[NameObject("/Contents")] = writer._add_object(contents)
                blank[NameObject("/Resources")] = DictionaryObject(
                    {
                        NameObject("/XObject"): DictionaryObject(
                            {NameObject("/Ap"): appearance.indirect_reference}
                        )
                    }
                )
                return blank.extract_text()
    raise AssertionError(f"no widget named {field_name}")


@pytest.fixture
def organization(db):
    return OrganizationFactory(code="XAB", name="Đảng ủy xã An Bình")


@pytest.fixture
def person(organization):
    person = PersonFactory(full_name="Nguyễn Văn Thắng", email="thang@example.vn")
    PositionFactory(person=person, organization=organization)
    return person


@pytest.fixture
def internal_ca(db):
    return ca.init_internal_ca("Thử nghiệm")


@pytest.fixture
def person_cert(internal_ca, person):
    return ca.issue_person_certificate(person)


@pytest.fixture
def seal_cert(internal_ca, organization):
    return ca.issue_organization_certificate(organization)


def test_signature_validates_in_pyhanko_and_pdfsig(person_cert, tmp_path):
    """GIVEN a document and a person's certificate from the internal CA
    WHEN the person signs it visibly
    THEN pyHanko finds the signature intact, valid and trusted, Poppler's
    pdfsig independently finds it valid, the original bytes are an unchanged
    prefix of the result, and the signing is audited."""
    original = make_pdf()
    signed = sign_pdf(
        original,
        certificate=person_cert,
        reason="Ký ban hành",
        location="Xã An Bình",
        field_name="Signer",
        box=BOX,
        timestamp=timezone.now(),
    )

    assert signed.startswith(original)
    [report] = verify_pdf(signed)
    assert report.field_name == "Signer"
    assert report.signer_cn == "Nguyễn Văn Thắng"
    assert report.intact and report.valid and report.trusted
    assert report.covers_whole_document
    assert report.revocation_checked and not report.revoked
    assert report.certificate_id == person_cert.pk
    assert report.status == SignatureStatus.VALID
    assert overall_status([report]) == SignatureStatus.VALID
    stored = json.loads(json.dumps(report.as_dict()))
    assert stored["signing_time"].endswith("+07:00")
    assert stored["status"] == "valid"
    output = pdfsig(tmp_path, signed)
    assert signature_validations(output) == ["Signature is Valid."], output
    assert "ETSI.CAdES.detached" in output
    entry = AuditEntry.objects.filter(action="signing.signed").get()
    assert entry.object_id == str(person_cert.pk)
    assert entry.changes["field"] == "Signer"


def test_one_changed_byte_is_flagged(person_cert, tmp_path):
    """GIVEN a signed document
    WHEN one byte inside the signed range changes
    THEN pyHanko reports the signature not intact and pdfsig reports it
    invalid."""
    signed = sign_pdf(make_pdf(), certificate=person_cert, field_name="Signer", box=BOX)
    tampered = flip_signed_byte(signed)

    [report] = verify_pdf(tampered)
    assert not report.intact
    assert not report.signature_ok and not report.valid
    assert report.status == SignatureStatus.INVALID
    assert overall_status([report]) == SignatureStatus.INVALID
    assert "changed" in report.summary
    [line] = signature_validations(pdfsig(tmp_path, tampered))
    assert line in ("Signature is Invalid.", "Digest Mismatch.")


def test_signer_then_seal_both_stay_valid(person_cert, seal_cert, tmp_path):
    """GIVEN a person's certificate and the organization's seal certificate
    WHEN an issued document is signed by the person and then sealed
    THEN both signatures are valid in pyHanko and pdfsig, the first one
    notes later additions, and the seal overlaps the signature's left third."""
    signed = sign_issued_document(
        make_pdf(pages=2),
        signer_cert=person_cert,
        seal_cert=seal_cert,
        positions={"page": -1, "signature": BOX},
    )

    first, second = verify_pdf(signed)
    assert (first.field_name, second.field_name) == ("Hoso-Signer", "Hoso-Seal")
    assert first.signer_cn == "Nguyễn Văn Thắng"
    assert second.signer_cn == "Đảng ủy xã An Bình"
    assert first.valid and first.trusted and not first.covers_whole_document
    assert second.valid and second.trusted and second.covers_whole_document
    output = pdfsig(tmp_path, signed)
    assert signature_validations(output) == ["Signature is Valid."] * 2, output
    rects = widget_rects(signed)
    sx1, _sy1, sx2, _sy2 = rects["Hoso-Signer"]
    seal_x1, _, seal_x2, _ = rects["Hoso-Seal"]
    assert seal_x1 < sx1 < seal_x2
    assert abs((seal_x2 - sx1) - (sx2 - sx1) / 3) <= 1
    # Both widgets sit on the last page.
    reader = PdfReader(BytesIO(signed))
    assert not reader.pages[0].get("/Annots")
    assert len(reader.pages[1]["/Annots"]) == 2


def test_default_layout_puts_the_block_bottom_right(person_cert, seal_cert):
    """GIVEN no positions from the renderer
    WHEN a document is signed and sealed
    THEN the signature sits in the right half near the bottom of the last
    page and the seal still overlaps its left third."""
    signed = sign_issued_document(
        make_pdf(), signer_cert=person_cert, seal_cert=seal_cert
    )
    rects = widget_rects(signed)
    sx1, sy1, sx2, _ = rects["Hoso-Signer"]
    seal_x1, _, seal_x2, _ = rects["Hoso-Seal"]
    assert sx1 > 595 / 2 and sy1 < 842 / 3
    assert seal_x1 < sx1 < seal_x2
    assert all(report.valid for report in verify_pdf(signed))


def test_untrusted_root_is_reported_until_trusted(person, tmp_path):
    """GIVEN a certificate issued by a second CA nobody trusts
    WHEN a document signed with it is verified
    THEN the signature is intact but untrusted; after the CA's certificate
    is imported as a trust root it verifies as trusted."""
    ca.init_internal_ca("Tin cậy")
    rogue = ca.init_internal_ca("Không tin cậy", trusted=False)
    certificate = ca.issue_person_certificate(person, ca=rogue)
    signed = sign_pdf(make_pdf(), certificate=certificate, box=BOX)

    [report] = verify_pdf(signed)
    assert report.intact and report.signature_ok
    assert not report.trusted
    assert not report.valid
    assert report.status == SignatureStatus.UNTRUSTED
    assert overall_status([report]) == SignatureStatus.UNTRUSTED
    assert "untrusted" in report.summary
    # pdfsig still checks the mathematics of the signature.
    assert signature_validations(pdfsig(tmp_path, signed)) == ["Signature is Valid."]

    ca.import_trust_roots(rogue.certificate_pem.encode())
    [report] = verify_pdf(signed)
    assert report.trusted and report.valid


def test_revoked_certificate(person_cert):
    """GIVEN a signature made before its certificate was revoked and one made
    after
    THEN the first stays valid, the second is reported revoked, and the
    revoked certificate signs no more."""
    now = timezone.now()
    # Certificates are backdated five minutes, so all this is in their life.
    before = sign_pdf(
        make_pdf(), certificate=person_cert, timestamp=now - timedelta(minutes=3)
    )
    after = sign_pdf(make_pdf(), certificate=person_cert, timestamp=now)
    ca.revoke_certificate(person_cert, moment=now - timedelta(minutes=2))

    [early] = verify_pdf(before)
    [late] = verify_pdf(after)
    assert early.valid and not early.revoked
    assert late.revoked and not late.trusted and not late.valid
    assert late.status == SignatureStatus.UNTRUSTED
    person_cert.refresh_from_db()
    with pytest.raises(SigningError):
        sign_pdf(make_pdf(), certificate=person_cert)


def test_attachment_stamp_shows_symbol_and_vietnam_time(seal_cert, tmp_path):
    """GIVEN an attachment and the organization's seal certificate
    WHEN it is sealed as an attachment of 15-NQ/ĐU at a time given in UTC
    THEN the signature sits at the top right of page 1 and its appearance
    shows the organization, the symbol and the time in ISO 8601, +07:00."""
    signing_time = datetime.now(UTC).replace(microsecond=0)
    signed = sign_attachment(
        make_pdf(pages=2),
        seal_cert=seal_cert,
        number_symbol="Số 15-NQ/ĐU",
        signing_time=signing_time,
    )

    text = appearance_text(signed, "Hoso-Attachment-Seal")
    assert "Số 15-NQ/ĐU" in text
    local = signing_time + timedelta(hours=7)
    assert f"{local:%Y-%m-%dT%H:%M:%S}+07:00" in text
    assert "Đảng ủy xã An Bình" in text
    x1, y1, x2, y2 = widget_rects(signed)["Hoso-Attachment-Seal"]
    assert x2 > 595 - 40 and y2 > 842 - 40 and x1 > 595 / 2
    assert PdfReader(BytesIO(signed)).pages[0].get("/Annots")
    [report] = verify_pdf(signed)
    assert report.valid
    assert report.signing_time == signing_time
    output = pdfsig(tmp_path, signed)
    assert signature_validations(output) == ["Signature is Valid."]
    assert f"Signing Time: {signing_time:%b %d %Y}" in output


def test_private_keys_are_encrypted_at_rest(person_cert, settings):
    """GIVEN certificates Hoso issued
    THEN their private keys are stored only as encrypted PKCS#8, unreadable
    without the configured secret, and the database refuses a clear key."""
    for stored in Certificate.objects.values_list("private_key_pem", flat=True):
        assert stored.startswith(ENCRYPTED_KEY_HEADER)
        assert "BEGIN PRIVATE KEY" not in stored
        assert "BEGIN EC PRIVATE KEY" not in stored
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(stored.encode(), password=None)
    assert person_cert.private_key().public_key() == person_cert.x509.public_key()

    settings.SIGNING_KEY_SECRET = "another secret"
    with pytest.raises(ValueError):
        person_cert.private_key()

    clear = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=person_cert.pk).update(private_key_pem=clear)


def test_unsigned_and_unreadable_files(db):
    """GIVEN an unsigned PDF and bytes that are no PDF
    THEN verification returns no reports for the first and refuses the
    second."""
    assert verify_pdf(make_pdf()) == []
    assert overall_status([]) == SignatureStatus.UNSIGNED
    with pytest.raises(UnreadablePdfError):
        verify_pdf(b"not a pdf at all")


def test_signing_time_must_be_aware_and_not_in_the_future(person_cert):
    with pytest.raises(SigningError):
        sign_pdf(make_pdf(), certificate=person_cert, timestamp=datetime(2026, 1, 1))
    with pytest.raises(SigningError, match="future"):
        sign_pdf(
            make_pdf(),
            certificate=person_cert,
            timestamp=timezone.now() + timedelta(hours=1),
        )


def test_person_key_signs_only_for_its_holder(person_cert):
    """GIVEN a person's certificate
    WHEN another user tries to sign with it
    THEN the signing is refused."""
    intruder = PersonFactory().user
    with pytest.raises(SigningError):
        sign_pdf(make_pdf(), certificate=person_cert, acting_user=intruder)
    signed = sign_pdf(
        make_pdf(), certificate=person_cert, acting_user=person_cert.person.user
    )
    assert verify_pdf(signed)[0].valid


def _external_pkcs12(common_name: str, password: bytes):
    """A certificate from an outside CA (not in Hoso) as PKCS#12."""
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VN Test Root")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            True,
        )
        .sign(root_key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        b"token",
        key,
        leaf,
        [root],
        serialization.BestAvailableEncryption(password),
    )
    return bundle, root


def test_imported_pkcs12_and_trust_root(person):
    """GIVEN a PKCS#12 certificate from an outside provider
    WHEN it is imported for a person and signs
    THEN the signature is untrusted until the provider's root is trusted."""
    bundle, root = _external_pkcs12("Trần Thị Bình", b"s3cret")
    with pytest.raises(ca.CertificateError):
        ca.import_pkcs12(bundle, "wrong", person=person)
    certificate = ca.import_pkcs12(bundle, "s3cret", person=person)
    assert certificate.private_key_pem.startswith(ENCRYPTED_KEY_HEADER)
    assert certificate.organization is not None  # from the person's position
    with pytest.raises(ca.CertificateError):
        ca.import_pkcs12(bundle, "s3cret", person=person)

    signed = sign_pdf(make_pdf(), certificate=certificate, box=BOX)
    [report] = verify_pdf(signed)
    assert report.intact and not report.trusted

    [trusted_root] = ca.import_trust_roots(
        root.public_bytes(serialization.Encoding.DER)
    )
    assert trusted_root.trusted and trusted_root.kind == "external_root"
    [report] = verify_pdf(signed)
    assert report.valid and report.trusted
    with pytest.raises(ca.CertificateError):
        ca.import_trust_roots(certificate.certificate_pem.encode())


def test_certificates_are_scoped_to_organizations(person_cert, seal_cert):
    """GIVEN certificates of organization A and a user who may view
    certificates only in organization B
    THEN the user sees none of A's, while the certificate holder sees their
    own."""
    from hoso.core.testing.factories import RoleFactory

    other = OrganizationFactory(code="OTHER")
    viewer = PersonFactory()
    PositionFactory(
        person=viewer,
        organization=other,
        role=RoleFactory(code="cert-viewer", permissions=["signing.view_certificate"]),
    )
    assert not Certificate.objects.restrict(viewer.user, "view").exists()
    PositionFactory(
        person=person_cert.person,
        organization=person_cert.organization,
        role=RoleFactory(code="cert-viewer"),
    )
    visible = set(Certificate.objects.restrict(person_cert.person.user, "view"))
    assert visible == {person_cert, seal_cert}


def test_same_field_name_twice_gets_a_fresh_field(person_cert):
    """GIVEN a document already signed in the field "Signer"
    WHEN it is signed again asking for the same field name
    THEN the second signature goes to "Signer-2" and both stay valid."""
    once = sign_pdf(make_pdf(), certificate=person_cert, field_name="Signer", box=BOX)
    twice = sign_pdf(once, certificate=person_cert, field_name="Signer")
    assert twice.startswith(once)
    reports = verify_pdf(twice)
    assert [r.field_name for r in reports] == ["Signer", "Signer-2"]
    assert all(r.valid for r in reports)

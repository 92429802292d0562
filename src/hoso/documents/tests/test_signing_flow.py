"""The signing step (with re-authentication), sealing at issue, and
verification of every PDF received."""

import io
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hoso.core.models import AuditEntry
from hoso.documents import services, storage
from hoso.documents.choices import SignatureStatus, Status
from hoso.documents.models import Document
from hoso.signing import ca
from hoso.signing.services import sign_pdf, verify_pdf

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture
def certificates(tree, staff):
    ca.init_internal_ca("Tỉnh ủy Thử")
    return {
        "secretary": ca.issue_person_certificate(staff["secretary_a"]),
        "seal": ca.issue_organization_certificate(tree["a"]),
    }


@pytest.fixture
def approved(tree, staff, nq):
    draft = services.create_draft(
        organization=tree["a"],
        acting_user=staff["specialist_a"].user,
        doc_type=nq,
        excerpt="Về chuyển đổi số trong các cơ quan đảng",
        body="Nội dung nghị quyết.",
    )
    return services.approve(draft, acting_user=staff["secretary_a"].user)


def _pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout


def _main_bytes(document) -> bytes:
    attachment = document.attachments.get(is_main=True)
    return storage.read_file(attachment.stored_file)


def test_signing_needs_reauthentication(approved, staff, certificates):
    secretary = staff["secretary_a"].user
    with pytest.raises(ValidationError) as error:
        services.sign_document(approved, acting_user=secretary, password="wrong")
    assert "password" in error.value.message_dict
    assert AuditEntry.objects.filter(action="documents.sign_reauth_failed").exists()
    approved.refresh_from_db()
    assert approved.number is None and not approved.attachments.exists()


def test_sign_then_issue_gives_two_valid_signatures(
    approved, staff, certificates, tree, tmp_path
):
    """GIVEN an approved resolution and a secretary with a certificate
    WHEN the secretary signs (re-entering the password) and the clerk issues
    THEN the main PDF carries the signer's and the seal's PAdES signatures,
    both valid for pyHanko and for poppler's pdfsig, and the recipient's copy
    shows them verified."""
    services.sign_document(
        approved, acting_user=staff["secretary_a"].user, password=PASSWORD
    )
    approved.refresh_from_db()
    assert approved.symbol == "01-NQ/ĐU"
    with pytest.raises(ValidationError):
        services.sign_document(
            approved, acting_user=staff["secretary_a"].user, password=PASSWORD
        )
    signed = _main_bytes(approved)
    assert [r.valid for r in verify_pdf(signed)] == [True]
    services.issue(approved, acting_user=staff["clerk_a"].user, recipients=[tree["b"]])
    approved.refresh_from_db()
    assert approved.status == Status.ISSUED
    final = _main_bytes(approved)
    reports = verify_pdf(final)
    assert [(r.valid, r.trusted) for r in reports] == [(True, True), (True, True)]
    output = _pdfsig(tmp_path, final)
    assert output.count("Signature is Valid.") == 2, output
    main = approved.attachments.get(is_main=True)
    assert main.signature_status == SignatureStatus.VALID
    copy = Document.objects.get(source_recipient__document=approved)
    assert copy.attachments.get().signature_status == SignatureStatus.VALID
    # The signer's version stays stored, unchanged, under its own hash.
    assert final.startswith(signed)


def test_appendices_get_the_seal_with_number_and_time(
    approved, staff, certificates, tree
):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Phu luc")
    services.attach_file(
        approved,
        SimpleUploadedFile("phu-luc.pdf", bytes(pdf.output())),
        acting_user=staff["specialist_a"].user,
    )
    services.sign_document(
        approved, acting_user=staff["secretary_a"].user, password=PASSWORD
    )
    services.issue(approved, acting_user=staff["clerk_a"].user)
    appendix = approved.attachments.get(name="phu-luc.pdf")
    assert appendix.signature_status == SignatureStatus.VALID
    assert appendix.signature_report[0]["signing_time"].endswith("+07:00")


def test_received_pdfs_are_verified(tree, staff, nq, certificates, tmp_path):
    """Uploads are checked on arrival: a good signature, a changed byte, an
    untrusted signer."""
    from hoso.signing.tests.test_signing import flip_signed_byte, make_pdf

    good = sign_pdf(make_pdf(), certificate=certificates["seal"])
    rogue_root = ca.init_internal_ca("Rogue", trusted=False)
    rogue_seal = ca.issue_organization_certificate(tree["b"], ca=rogue_root)
    untrusted = sign_pdf(make_pdf(), certificate=rogue_seal)
    cases = {
        "good.pdf": (good, SignatureStatus.VALID),
        "changed.pdf": (flip_signed_byte(good), SignatureStatus.INVALID),
        "untrusted.pdf": (untrusted, SignatureStatus.UNTRUSTED),
        "plain.pdf": (make_pdf(), SignatureStatus.UNSIGNED),
    }
    for name, (data, expected) in cases.items():
        document = services.create_incoming(
            organization=tree["a"],
            acting_user=staff["clerk_a"].user,
            doc_type=nq,
            issuer_name="Bên ngoài",
            excerpt=name,
            files=[io.BytesIO(data)],
        )
        assert document.attachments.get().signature_status == expected, name


def test_sign_api_and_permission(client, approved, staff, certificates):
    client.force_login(staff["clerk_a"].user)
    denied = client.post(
        f"/api/v1/documents/{approved.pk}/sign",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert denied.status_code == 404
    client.force_login(staff["secretary_a"].user)
    response = client.post(
        f"/api/v1/documents/{approved.pk}/sign",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["attachments"][0]["signature_status"] == "valid"
    listed = client.get("/api/v1/documents", {"direction": "outgoing"}).json()
    assert listed["items"][0]["signature_status"] == "valid"


def test_verify_again_after_trusting_a_root(client, tree, staff, nq, certificates):
    """A file signed under a root trusted later verifies as valid when
    checked again."""
    from hoso.signing.tests.test_signing import make_pdf

    other_root = ca.init_internal_ca("Đối tác", trusted=False)
    seal = ca.issue_organization_certificate(tree["b"], ca=other_root)
    document = services.create_incoming(
        organization=tree["a"],
        acting_user=staff["clerk_a"].user,
        doc_type=nq,
        issuer_name="Đối tác",
        excerpt="Văn bản ký số",
        files=[io.BytesIO(sign_pdf(make_pdf(), certificate=seal))],
    )
    attachment = document.attachments.get()
    assert attachment.signature_status == SignatureStatus.UNTRUSTED
    other_root.trusted = True
    other_root.save()
    client.force_login(staff["clerk_a"].user)
    response = client.post(
        f"/api/v1/documents/{document.pk}/files/{attachment.pk}/verify"
    )
    assert response.json()["signature_status"] == "valid"


def test_signing_asks_for_the_totp_code_when_enrolled(approved, staff, certificates):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    secretary = staff["secretary_a"].user
    device = TOTPDevice.objects.create(user=secretary, name="phone", confirmed=True)
    with pytest.raises(ValidationError):
        services.sign_document(approved, acting_user=secretary, password=PASSWORD)
    with pytest.raises(ValidationError):
        services.sign_document(
            approved, acting_user=secretary, password=PASSWORD, otp_token="000000"
        )
    # django-otp slows down guessing after failures; a real user waits a
    # moment, the test resets the throttle.
    device.refresh_from_db()
    device.throttle_reset()
    code = str(totp(device.bin_key)).zfill(6)
    services.sign_document(
        approved, acting_user=secretary, password=PASSWORD, otp_token=code
    )
    assert approved.attachments.get(is_main=True).signature_status == "valid"

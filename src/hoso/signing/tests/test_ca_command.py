"""`hoso ca`: initialise the CA, issue, import, trust, revoke, list; and the
default signature and seal images."""

from __future__ import annotations

from io import BytesIO, StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from hoso.core.models import AuditEntry
from hoso.core.testing.factories import (
    OrganizationFactory,
    PersonFactory,
    PositionFactory,
)
from hoso.signing.choices import CertificateKind
from hoso.signing.images import seal_png, signature_png
from hoso.signing.models import Certificate


def run(*args) -> str:
    out = StringIO()
    call_command("ca", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def people(db):
    organization = OrganizationFactory(code="XAB", name="Đảng ủy xã An Bình")
    person = PersonFactory(full_name="Lê Thị Hồng", user__username="hong")
    PositionFactory(person=person, organization=organization)
    return person, organization


def test_init_issue_list_revoke(people):
    """GIVEN a fresh installation
    WHEN an administrator initialises the CA and issues certificates
    THEN the CA, a personal and a seal certificate exist with their images,
    each step is audited, and revoking one marks it."""
    person, organization = people
    assert "Hoso Internal CA — Xã An Bình" in run("init", "--name", "Xã An Bình")
    assert "Lê Thị Hồng" in run("issue", "person", "hong")
    assert "Đảng ủy xã An Bình" in run("issue", "organization", "XAB")

    own = Certificate.objects.get(kind=CertificateKind.PERSON)
    seal = Certificate.objects.get(kind=CertificateKind.ORGANIZATION)
    assert own.person == person and own.organization == organization
    assert seal.organization == organization
    assert own.image_bytes().startswith(b"\x89PNG")
    assert (own.not_after - own.not_before).days in (1095, 1096)
    ca_cert = Certificate.objects.get(kind=CertificateKind.CA)
    assert (ca_cert.not_after - ca_cert.not_before).days >= 3652
    assert own.issuer == ca_cert
    listing = run("list")
    assert listing.count("\n") == 3 and "trusted" in listing
    assert set(
        AuditEntry.objects.filter(action__startswith="signing.").values_list(
            "action", flat=True
        )
    ) == {"signing.ca_created", "signing.certificate_issued"}

    assert "REVOKED" in run("revoke", own.fingerprint[:20])
    own.refresh_from_db()
    assert own.revoked_at is not None


def test_issue_without_ca_and_unknown_names(people):
    with pytest.raises(CommandError, match="hoso ca init"):
        run("issue", "person", "hong")
    with pytest.raises(CommandError, match="nobody"):
        run("issue", "person", "nobody")
    with pytest.raises(CommandError, match="NOPE"):
        run("issue", "organization", "NOPE")


def test_import_p12_and_trust(people, tmp_path):
    """GIVEN a PKCS#12 file and a root certificate file
    WHEN they are imported on the command line
    THEN the certificate belongs to the organization and the root is trusted."""
    from hoso.signing.tests.test_signing import _external_pkcs12

    _person, organization = people
    bundle, root = _external_pkcs12("Đảng ủy xã An Bình (seal)", b"pw")
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(bundle)
    root_file = tmp_path / "root.pem"
    root_file.write_bytes(root.public_bytes(serialization.Encoding.PEM))

    run("import-p12", str(p12), "--password", "pw", "--organization", "XAB")
    imported = Certificate.objects.get(kind=CertificateKind.ORGANIZATION)
    assert imported.organization == organization
    assert len(imported.chain) == 1
    assert "trusted" in run("trust", str(root_file))
    assert Certificate.objects.trust_roots().get().subject_cn == "VN Test Root"
    with pytest.raises(CommandError, match="password"):
        run("import-p12", str(p12), "--password", "bad", "--person", "hong")


def test_pkcs12_without_key_is_refused(people, tmp_path):
    from hoso.signing.tests.test_signing import _external_pkcs12

    bundle, root = _external_pkcs12("Someone", b"pw")
    only_cert = pkcs12.serialize_key_and_certificates(
        b"x", None, None, [root], serialization.NoEncryption()
    )
    path = tmp_path / "nokey.p12"
    path.write_bytes(only_cert)
    with pytest.raises(CommandError, match="no certificate with its key"):
        run("import-p12", str(path), "--person", "hong")


def test_default_images_are_transparent_and_coloured():
    """The generated signature is blue and the seal red, both on a
    transparent background."""
    signature = Image.open(BytesIO(signature_png("Nguyễn Văn Thắng")))
    seal = Image.open(BytesIO(seal_png("Đảng ủy xã An Bình")))
    for image, colour in ((signature, "blue"), (seal, "red")):
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0
        data = image.tobytes()
        pixels = (data[i : i + 4] for i in range(0, len(data), 4))
        inked = [px for px in pixels if px[3] == 255]
        assert inked
        red = sum(px[0] for px in inked) / len(inked)
        blue = sum(px[2] for px in inked) / len(inked)
        assert (blue > red) if colour == "blue" else (red > blue)

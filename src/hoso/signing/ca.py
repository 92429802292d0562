"""The internal certificate authority and the import of outside keys.

Demo and small deployments run their own CA: `init_internal_ca` creates it,
`issue_person_certificate` and `issue_organization_certificate` issue signing
and seal certificates from it. Deployments with certificates from a licensed
provider import them as PKCS#12 (`import_pkcs12`) and trust the provider's
roots (`import_trust_roots`). Every change is written to the audit chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from django.db import transaction
from django.utils import timezone

from hoso.core import audit
from hoso.signing.choices import CertificateKind
from hoso.signing.images import seal_png, signature_png
from hoso.signing.models import Certificate

CA_VALIDITY = timedelta(days=3653)  # ten years
LEAF_VALIDITY = timedelta(days=1096)  # three years
# Certificates start a little in the past so that a verifier whose clock is
# slightly behind does not see them as not yet valid.
BACKDATE = timedelta(minutes=5)
# Key purposes that make signing certificates acceptable to PDF readers:
# e-mail protection (what NSS/Poppler check), RFC 9336 document signing, and
# Adobe's "authentic documents" purpose.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ADOBE_AUTHENTIC_DOCUMENTS = ObjectIdentifier("1.2.840.113583.1.1.5")


class CertificateError(ValueError):
    """A certificate operation that cannot be done; the message says why."""


def _new_key() -> ec.EllipticCurvePrivateKey:
    # EC P-256: fast to generate, and accepted by pyHanko, Poppler/NSS and
    # Adobe Reader alike.
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organization: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64])
        )
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(attributes)


def _key_usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,  # a.k.a. non-repudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def internal_ca() -> Certificate | None:
    """The newest trusted internal CA that can still issue certificates."""
    return (
        Certificate.objects.usable()
        .filter(kind=CertificateKind.CA, trusted=True)
        .order_by("-not_before", "-pk")
        .first()
    )


def init_internal_ca(
    name: str, *, trusted: bool = True, acting_user=None
) -> Certificate:
    """Create an internal CA "Hoso Internal CA — <name>", valid ten years.

    `trusted=False` makes a CA whose signatures verify as untrusted until an
    administrator trusts it (`import_trust_roots` with its certificate).
    """
    key = _new_key()
    subject = _name(f"Hoso Internal CA — {name}", name)
    now = timezone.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    with transaction.atomic():
        certificate = Certificate(kind=CertificateKind.CA, trusted=trusted)
        certificate.set_certificate(cert)
        certificate.set_private_key(key)
        certificate.full_clean()
        certificate.save()
        audit.record(
            "signing.ca_created",
            obj=certificate,
            actor=acting_user,
            changes={"subject": certificate.subject_cn, "trusted": trusted},
        )
    return certificate


def _issue(
    *,
    ca: Certificate,
    subject: x509.Name,
    email: str = "",
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Issue a signing certificate (digital signature + non-repudiation)."""
    if ca.kind != CertificateKind.CA or not ca.has_private_key:
        raise CertificateError(f"{ca} is not an internal CA that can issue.")
    if not ca.is_valid_at():
        raise CertificateError(f"The CA {ca} is revoked or expired.")
    ca_cert = ca.x509
    ca_key = ca.private_key()
    key = _new_key()
    now = timezone.now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + LEAF_VALIDITY, ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    ExtendedKeyUsageOID.EMAIL_PROTECTION,
                    DOCUMENT_SIGNING,
                    ADOBE_AUTHENTIC_DOCUMENTS,
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),
            critical=False,
        )
    )
    if email:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
        )
    return builder.sign(ca_key, hashes.SHA256()), key


def _current_organization(person):
    """The organization of the person's first current position, if any."""
    position = (
        person.positions.current()
        .select_related("organization")
        .order_by("organization__path")
        .first()
    )
    return position.organization if position else None


def issue_person_certificate(
    person,
    *,
    organization=None,
    ca: Certificate | None = None,
    image: bytes | None = None,
    acting_user=None,
) -> Certificate:
    """Issue a personal signing certificate (three years) from the internal CA.

    The signature image is `image`, else the one of the person's previous
    certificate, else a generated blue signature of their name.
    """
    ca = ca or internal_ca()
    if ca is None:
        raise CertificateError("There is no internal CA: run `hoso ca init` first.")
    organization = organization or _current_organization(person)
    cert, key = _issue(
        ca=ca,
        subject=_name(person.full_name, organization.name if organization else ""),
        email=person.email,
    )
    previous = Certificate.objects.for_person(person).exclude(image=None).first()
    image = image or (previous.image_bytes() if previous else None)
    with transaction.atomic():
        certificate = Certificate(
            kind=CertificateKind.PERSON,
            person=person,
            organization=organization,
            issuer=ca,
            image=image or signature_png(person.full_name),
        )
        certificate.set_certificate(cert)
        certificate.set_private_key(key)
        certificate.full_clean()
        certificate.save()
        audit.record(
            "signing.certificate_issued",
            obj=certificate,
            actor=acting_user,
            changes={"kind": certificate.kind, "subject": certificate.subject_cn},
        )
    return certificate


def issue_organization_certificate(
    organization,
    *,
    ca: Certificate | None = None,
    image: bytes | None = None,
    acting_user=None,
) -> Certificate:
    """Issue an organization's seal certificate (three years) from the
    internal CA; the seal image is `image`, the previous seal's, or a
    generated red round seal."""
    ca = ca or internal_ca()
    if ca is None:
        raise CertificateError("There is no internal CA: run `hoso ca init` first.")
    cert, key = _issue(ca=ca, subject=_name(organization.name, organization.name))
    previous = (
        Certificate.objects.for_organization(organization).exclude(image=None).first()
    )
    image = image or (previous.image_bytes() if previous else None)
    with transaction.atomic():
        certificate = Certificate(
            kind=CertificateKind.ORGANIZATION,
            organization=organization,
            issuer=ca,
            image=image or seal_png(organization.name),
        )
        certificate.set_certificate(cert)
        certificate.set_private_key(key)
        certificate.full_clean()
        certificate.save()
        audit.record(
            "signing.certificate_issued",
            obj=certificate,
            actor=acting_user,
            changes={"kind": certificate.kind, "subject": certificate.subject_cn},
        )
    return certificate


def import_pkcs12(
    data: bytes,
    password: str | bytes | None,
    *,
    person=None,
    organization=None,
    image: bytes | None = None,
    acting_user=None,
) -> Certificate:
    """Import an externally issued certificate with its key and chain.

    Exactly one of `person` (a personal signing certificate) or
    `organization` (a seal) says whose it is. The key is re-encrypted under
    Hoso's key secret; the PKCS#12 password is not kept.
    """
    if (person is None) == (organization is None):
        raise CertificateError("Say whether the certificate is a person's or a seal.")
    if isinstance(password, str):
        password = password.encode()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError as exc:
        raise CertificateError(
            "The PKCS#12 file cannot be read (wrong password or damaged)."
        ) from exc
    if key is None or cert is None:
        raise CertificateError("The PKCS#12 file holds no certificate with its key.")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise CertificateError("Only RSA and EC keys can sign PDF documents.")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != cert.public_key().public_bytes(serialization.Encoding.DER, public):
        raise CertificateError("The key does not belong to the certificate.")
    _refuse_duplicate(cert)
    kind = (
        CertificateKind.PERSON if person is not None else CertificateKind.ORGANIZATION
    )
    if organization is None and person is not None:
        organization = _current_organization(person)
    with transaction.atomic():
        certificate = Certificate(
            kind=kind,
            person=person,
            organization=organization,
            chain_pem="".join(
                c.public_bytes(serialization.Encoding.PEM).decode() for c in extra
            ),
            image=image
            or (
                signature_png(person.full_name)
                if person is not None
                else seal_png(organization.name)
            ),
        )
        certificate.set_certificate(cert)
        certificate.set_private_key(key)
        certificate.issuer = Certificate.objects.filter(
            kind__in=[CertificateKind.CA, CertificateKind.EXTERNAL_ROOT],
            subject_cn=certificate.issuer_cn,
        ).first()
        certificate.full_clean()
        certificate.save()
        audit.record(
            "signing.certificate_imported",
            obj=certificate,
            actor=acting_user,
            changes={
                "kind": certificate.kind,
                "subject": certificate.subject_cn,
                "issuer": certificate.issuer_cn,
                "fingerprint": certificate.fingerprint,
            },
        )
    return certificate


def _refuse_duplicate(cert: x509.Certificate) -> None:
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if Certificate.objects.filter(fingerprint=fingerprint).exists():
        raise CertificateError("This certificate is already imported.")


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates from PEM (one or several) or DER bytes."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise CertificateError("The file is not a PEM or DER certificate.") from exc


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        # Old v1 roots carry no extensions: accept them when self-issued.
        return cert.issuer == cert.subject


def import_trust_roots(data: bytes, *, acting_user=None) -> list[Certificate]:
    """Trust the CA certificates in `data` (PEM bundle or DER).

    A certificate Hoso already knows (an internal CA made untrusted, a root
    imported before) is marked trusted; others are added as external roots.
    """
    certs = load_certificates(data)
    for cert in certs:
        if not _is_ca(cert):
            raise CertificateError(
                f"Only CA certificates can be trust roots; "
                f"“{cert.subject.rfc4514_string()}” is not one."
            )
    roots = []
    with transaction.atomic():
        for cert in certs:
            fingerprint = cert.fingerprint(hashes.SHA256()).hex()
            root = Certificate.objects.filter(fingerprint=fingerprint).first()
            if root is None:
                root = Certificate(kind=CertificateKind.EXTERNAL_ROOT)
                root.set_certificate(cert)
            elif root.kind not in (CertificateKind.CA, CertificateKind.EXTERNAL_ROOT):
                raise CertificateError(f"{root} is not a CA certificate.")
            root.trusted = True
            root.full_clean()
            root.save()
            audit.record(
                "signing.root_trusted",
                obj=root,
                actor=acting_user,
                changes={"subject": root.subject_cn, "fingerprint": fingerprint},
            )
            roots.append(root)
    return roots


def revoke_certificate(
    certificate: Certificate, *, moment: datetime | None = None, acting_user=None
) -> Certificate:
    """Revoke a certificate: it signs no more, and signatures it made after
    `moment` (now by default) verify as revoked. A revoked CA is no longer a
    trust root."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:
            return certificate
        certificate.revoked_at = moment or timezone.now()
        certificate.save(update_fields=["revoked_at", "updated"])
        audit.record(
            "signing.certificate_revoked",
            obj=certificate,
            actor=acting_user,
            changes={"revoked_at": certificate.revoked_at.isoformat()},
        )
    return certificate

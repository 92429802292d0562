"""Signing keys: the internal CA, personal and seal certificates, trust roots."""

from __future__ import annotations

import base64
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.signing.choices import CertificateKind
from hoso.signing.querysets import CertificateQuerySet

ENCRYPTED_KEY_HEADER = "-----BEGIN ENCRYPTED PRIVATE KEY-----"
# The HKDF label of the key-encryption passphrase. Changing it (or the secret it
# is derived from) makes every stored private key unreadable.
_KEY_INFO = b"hoso.signing/private-key-encryption/v1"


def key_encryption_passphrase() -> bytes:
    """The passphrase that encrypts private keys at rest.

    Derived with HKDF-SHA256 from `settings.SIGNING_KEY_SECRET` when set,
    otherwise from `settings.SECRET_KEY`. The secret lives outside the
    database, so a copy of the database alone does not yield usable keys.
    Deployments should set HOSO_SIGNING_KEY_SECRET so that rotating the
    Django secret key does not lock the signing keys away.
    """
    secret = getattr(settings, "SIGNING_KEY_SECRET", "") or settings.SECRET_KEY
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


class Certificate(BaseModel):
    """An X.509 certificate Hoso knows, with its private key when Hoso signs
    with it.

    Kinds: the internal CA (demo and small deployments), a person's signing
    certificate, an organization's seal certificate, or an external trust
    root. Private keys are kept only as encrypted PKCS#8 PEM (a database
    constraint refuses anything else); `image` is the visible mark the key
    leaves on documents: a person's signature or an organization's seal (PNG).
    """

    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    subject_cn = models.CharField(_("subject"), max_length=255)
    issuer_cn = models.CharField(_("issuer"), max_length=255, blank=True)
    serial = models.CharField(_("serial number"), max_length=64)
    fingerprint = models.CharField(
        _("SHA-256 fingerprint"), max_length=64, unique=True, editable=False
    )
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField(_("certificate (PEM)"))
    chain_pem = models.TextField(
        _("intermediate certificates (PEM)"),
        blank=True,
        help_text=_("Sent along with signatures so verifiers can build the path."),
    )
    private_key_pem = models.TextField(
        _("encrypted private key"), blank=True, editable=False
    )
    issuer = models.ForeignKey(
        "self",
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued",
    )
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    trusted = models.BooleanField(
        _("trusted root"),
        default=False,
        help_text=_("Signatures chaining to this root are accepted."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    image = models.BinaryField(
        _("signature or seal image"),
        null=True,
        blank=True,
        help_text=_("PNG with a transparent background."),
    )

    # A seal belongs to its organization; a person's certificate carries the
    # organization it was issued for, and `scope_q` adds the person's positions.
    scope_path_field = "organization__path"
    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "subject_cn", "-not_before"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(private_key_pem="")
                | Q(private_key_pem__startswith=ENCRYPTED_KEY_HEADER),
                name="signing_certificate_key_encrypted",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CertificateKind.PERSON) | Q(person__isnull=False),
                name="signing_certificate_person_set",
            ),
            models.CheckConstraint(
                condition=~Q(kind=CertificateKind.ORGANIZATION)
                | Q(organization__isnull=False),
                name="signing_certificate_organization_set",
            ),
        ]
        indexes = [models.Index(fields=["kind", "trusted"])]

    def __str__(self) -> str:
        return f"{self.subject_cn} ({self.get_kind_display()}, {self.serial[:12]})"

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """Certificates of organizations under `paths`, of people holding a
        position there, and the user's own."""
        from hoso.accounts.models import Position

        # Both models reach the organization through `organization`, so one
        # filter serves for the certificates and for the positions.
        org_q = Q(pk__in=[])
        for path in paths:
            org_q |= Q(organization__path__startswith=path)
        holders = Position.objects.filter(org_q).values("person_id")
        return org_q | Q(person__in=holders) | Q(person__user_id=user.pk)

    def clean(self) -> None:
        super().clean()
        if self.private_key_pem and not self.private_key_pem.startswith(
            ENCRYPTED_KEY_HEADER
        ):
            raise ValidationError(_("Private keys are only stored encrypted."))
        if self.kind == CertificateKind.PERSON and self.person_id is None:
            raise ValidationError(
                {"person": _("A personal certificate needs a person.")}
            )
        if self.kind == CertificateKind.ORGANIZATION and self.organization_id is None:
            raise ValidationError(
                {"organization": _("A seal certificate needs an organization.")}
            )

    # -- the X.509 material ---------------------------------------------------

    def set_certificate(self, cert: x509.Certificate) -> None:
        """Fill the certificate and the fields copied from it."""
        self.certificate_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.subject_cn = common_name(cert.subject)[:255]
        self.issuer_cn = common_name(cert.issuer)[:255]
        self.serial = format(cert.serial_number, "x")
        self.fingerprint = cert.fingerprint(hashes.SHA256()).hex()
        self.not_before = cert.not_valid_before_utc
        self.not_after = cert.not_valid_after_utc

    @property
    def x509(self) -> x509.Certificate:
        """The certificate itself."""
        return x509.load_pem_x509_certificate(self.certificate_pem.encode())

    @property
    def chain(self) -> list[x509.Certificate]:
        """The intermediates (and roots) sent along with signatures: the
        imported chain, or the issuing internal CA."""
        if self.chain_pem:
            return x509.load_pem_x509_certificates(self.chain_pem.encode())
        if self.issuer_id is not None:
            return [self.issuer.x509]
        return []

    def set_private_key(self, key: PrivateKeyTypes) -> None:
        """Store `key` encrypted (PKCS#8, PBES2/AES-256) under the passphrase
        derived from the configured secret; never in clear."""
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(key_encryption_passphrase()),
        ).decode()

    @property
    def has_private_key(self) -> bool:
        return bool(self.private_key_pem)

    def private_key(self) -> PrivateKeyTypes:
        """Decrypt the private key; ValueError when there is none or the
        configured secret is not the one it was encrypted with."""
        if not self.private_key_pem:
            raise ValueError(f"The certificate {self} has no private key.")
        return serialization.load_pem_private_key(
            self.private_key_pem.encode(), password=key_encryption_passphrase()
        )

    def is_valid_at(self, moment: datetime | None = None) -> bool:
        """Within the validity period and not revoked by then."""
        moment = moment or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= moment:
            return False
        return self.not_before <= moment <= self.not_after

    def image_bytes(self) -> bytes | None:
        """The image as bytes (databases return memoryview for binary)."""
        return bytes(self.image) if self.image else None


def common_name(name: x509.Name) -> str:
    """The CN of a distinguished name, or the whole name when it has none."""
    attributes = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    if attributes:
        value = attributes[0].value
        return value.decode() if isinstance(value, bytes) else value
    return name.rfc4514_string()

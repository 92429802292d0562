"""Query scopes of certificates."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from hoso.core.querysets import RestrictedQuerySet
from hoso.signing.choices import CertificateKind


class CertificateQuerySet(RestrictedQuerySet):
    """Certificates, with the scopes signing and verification need."""

    def unrevoked(self) -> CertificateQuerySet:
        """Certificates nobody has revoked."""
        return self.filter(revoked_at__isnull=True)

    def valid_at(self, moment: datetime | None = None) -> CertificateQuerySet:
        """Unrevoked certificates whose validity period covers `moment`
        (now by default)."""
        moment = moment or timezone.now()
        return self.unrevoked().filter(not_before__lte=moment, not_after__gte=moment)

    def usable(self, moment: datetime | None = None) -> CertificateQuerySet:
        """Certificates that can sign now: valid and holding a private key."""
        return self.valid_at(moment).exclude(private_key_pem="")

    def trust_roots(self) -> CertificateQuerySet:
        """The anchors signatures are validated against: internal CAs and
        imported roots marked trusted, not revoked."""
        return self.unrevoked().filter(
            Q(kind=CertificateKind.CA) | Q(kind=CertificateKind.EXTERNAL_ROOT),
            trusted=True,
        )

    def for_person(self, person) -> CertificateQuerySet:
        """A person's signing certificates, newest first."""
        return self.filter(kind=CertificateKind.PERSON, person=person).order_by(
            "-not_before"
        )

    def for_organization(self, organization) -> CertificateQuerySet:
        """An organization's seal certificates, newest first."""
        return self.filter(
            kind=CertificateKind.ORGANIZATION, organization=organization
        ).order_by("-not_before")

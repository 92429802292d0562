"""Fingerprints of documents and the duplicate flags they raise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hoso.archive.choices import Decision, DuplicateKind
from hoso.core.choices import Secrecy
from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet


class DocumentFingerprint(models.Model):
    """What a document looks like to the duplicate finder: the SHA-256 of its
    main file and a MinHash signature of its text.

    Derived data, rebuilt by `services.fingerprint_document` whenever the
    document's text or main file changes (`source_digest` tells whether it
    did). `organization` is copied from the document so that candidate
    lookups stay within one organization's archive on an index.
    """

    document = models.OneToOneField(
        "documents.Document", on_delete=models.CASCADE, related_name="fingerprint"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    sha256 = models.CharField(_("SHA-256 of the main file"), max_length=64, blank=True)
    minhash = models.BinaryField(_("MinHash signature"), null=True, blank=True)
    shingle_count = models.PositiveIntegerField(default=0)
    source_digest = models.CharField(max_length=64)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document fingerprint")
        verbose_name_plural = _("document fingerprints")
        indexes = [models.Index(fields=["organization", "sha256"])]

    def __str__(self) -> str:
        return f"fingerprint of {self.document_id}"


class FingerprintBand(models.Model):
    """One LSH band of a fingerprint's MinHash: documents sharing a band key
    in the same organization are candidates for a near-duplicate check."""

    fingerprint = models.ForeignKey(
        DocumentFingerprint, on_delete=models.CASCADE, related_name="bands"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    band = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=16)

    class Meta:
        indexes = [
            models.Index(
                fields=["organization", "band", "key"], name="archive_band_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.band}:{self.key}"


class DuplicateFlagQuerySet(RestrictedQuerySet):
    """Duplicate flags with the usual scopes."""

    def pending(self) -> DuplicateFlagQuerySet:
        return self.filter(decision=Decision.PENDING)

    def involving(self, document) -> DuplicateFlagQuerySet:
        """Flags in which the document is either side."""
        return self.filter(Q(document=document) | Q(other=document))


class DuplicateFlag(BaseModel):
    """Two documents of one organization's archive that look the same.

    `document` is the newer of the two and `other` the older one it seems to
    duplicate; "merge" keeps the older document and links the newer one to
    it. `secrecy` is the higher of the two documents' secrecy, so that
    `restrict()` never shows a flag (and with it a classified document's
    existence) to someone without the clearance.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="duplicate_flags",
    )
    other = models.ForeignKey(
        "documents.Document",
        verbose_name=_("duplicate of"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DuplicateKind.choices)
    similarity = models.FloatField(_("similarity"))
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    decision = models.CharField(
        _("decision"),
        max_length=8,
        choices=Decision.choices,
        default=Decision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope_path_field = "organization__path"
    objects = DuplicateFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("duplicate flag")
        verbose_name_plural = _("duplicate flags")
        indexes = [models.Index(fields=["organization", "decision"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "other"], name="duplicate_flag_pair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(document=F("other")), name="duplicate_flag_two_documents"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} ≈ {self.other_id} ({self.kind})"

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING

    @property
    def percent(self) -> int:
        """The similarity as a whole percentage, for display."""
        return round(self.similarity * 100)

"""The review queue: what OCR and extraction proposed, what the clerk kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.choices import Secrecy
from hoso.core.models import BaseModel
from hoso.digitization.choices import RecordStatus


class IntakeRecord(BaseModel):
    """A scanned file waiting for (or past) the clerk's review.

    `extracted` holds the extractor's raw proposal (its own keys: symbol,
    type, issued_on, issuer…); `final` the metadata the clerk confirmed, in
    the documents app's field names; `corrected` only the fields where the
    two differ, `{field: {"extracted": …, "final": …}}`. Confirmed records
    are the labelled data (`services.labelled_records`).
    """

    item = models.OneToOneField(
        "digitization.ScanItem",
        verbose_name=_("scanned file"),
        on_delete=models.CASCADE,
        related_name="record",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="intake_records",
    )
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RecordStatus.choices, default="pending"
    )
    extracted = models.JSONField(_("extracted fields"), default=dict, blank=True)
    proposed = models.JSONField(
        _("proposed metadata"),
        default=dict,
        blank=True,
        help_text=_("The extracted fields mapped to document metadata."),
    )
    final = models.JSONField(_("confirmed metadata"), default=dict, blank=True)
    corrected = models.JSONField(_("corrections"), default=dict, blank=True)
    suggested_case_file = models.ForeignKey(
        "documents.CaseFile",
        verbose_name=_("suggested case file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case_file = models.ForeignKey(
        "documents.CaseFile",
        verbose_name=_("case file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.OneToOneField(
        "documents.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intake_record",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-created"]
        verbose_name = _("intake record")
        verbose_name_plural = _("intake records")
        indexes = [models.Index(fields=["organization", "status", "-created"])]

    def __str__(self) -> str:
        return self.proposed.get("symbol") or self.item.original_name

    def get_absolute_url(self) -> str:
        return reverse("digitization:record", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == RecordStatus.PENDING

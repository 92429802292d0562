"""Scan batches and the files in them, on their way through OCR."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.choices import Secrecy
from hoso.core.models import BaseModel
from hoso.digitization.choices import BatchSource, BatchStatus, ItemStatus, TextMethod


class ScanBatch(BaseModel):
    """Files scanned or uploaded together for one organization.

    The counts are derived from the items (`services.refresh_batch`) and kept
    on the row so that the list of batches and the progress page need one
    query. `secrecy` is declared at intake: classified batches keep their
    files encrypted and are hidden from users without the clearance.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="scan_batches",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=BatchSource.choices, default="upload"
    )
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default="queued"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_count = models.PositiveIntegerField(_("files"), default=0)
    done_count = models.PositiveIntegerField(_("files done"), default=0)
    failed_count = models.PositiveIntegerField(_("files failed"), default=0)
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    pages_done = models.PositiveIntegerField(_("pages done"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-created"]
        verbose_name = _("scan batch")
        verbose_name_plural = _("scan batches")
        indexes = [models.Index(fields=["organization", "-created"])]

    def __str__(self) -> str:
        return self.name or _("Batch %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("digitization:batch", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)

    @property
    def percent(self) -> int:
        """Pages done out of all pages, in percent (for the progress bar)."""
        if not self.page_count:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.pages_done / self.page_count))


class ScanItem(BaseModel):
    """One file of a batch: the untouched original, and once OCR has run,
    its searchable PDF/A and text.

    The original `StoredFile` is never modified; the searchable PDF/A is a
    second stored file beside it. `needed_cleanup` records whether any page
    looked poor after the plain OCR pass and went through the costly clean-up
    (deskew, clean, rotate); `cleaned_pages` lists those pages.
    """

    batch = models.ForeignKey(
        ScanBatch,
        verbose_name=_("batch"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    original = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("original"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default="queued"
    )
    pages = models.PositiveIntegerField(_("pages"), default=0)
    pages_done = models.PositiveIntegerField(_("pages done"), default=0)
    method = models.CharField(
        _("text from"), max_length=8, choices=TextMethod.choices, blank=True
    )
    searchable = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("searchable PDF/A"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    quality = models.FloatField(_("text quality"), null=True, blank=True)
    needed_cleanup = models.BooleanField(_("needed clean-up"), default=False)
    cleaned_pages = models.JSONField(_("cleaned pages"), default=list, blank=True)
    ocr_seconds = models.FloatField(_("OCR time (s)"), null=True, blank=True)
    cpu_seconds = models.FloatField(_("CPU time (s)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    scope_path_field = "batch__organization__path"

    class Meta:
        ordering = ["batch", "position", "pk"]
        verbose_name = _("scanned file")
        verbose_name_plural = _("scanned files")
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("digitization:batch", args=[self.batch_id]) + f"#item-{self.pk}"

    @property
    def percent(self) -> int:
        """Pages done in percent (for the progress bar)."""
        if self.status == ItemStatus.DONE:
            return 100
        if not self.pages:
            return 0
        return min(100, round(100 * self.pages_done / self.pages))

    @property
    def is_finished(self) -> bool:
        return self.status in (ItemStatus.DONE, ItemStatus.FAILED)

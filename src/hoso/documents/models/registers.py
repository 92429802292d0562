"""Type tables, committee terms, number sequences, reservations, case files."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.documents.choices import Direction, TypeSystem


class DocumentType(BaseModel):
    """A document type and its code in symbols (NQ, QĐ, CV…): data, editable
    by administrators. The same code may exist in the Party and the state
    tables with different names (TT: Thông tri / Thông tư)."""

    system = models.CharField(_("system"), max_length=8, choices=TypeSystem.choices)
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["system", "name"]
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "code"], name="doctype_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Term(BaseModel):
    """A committee term (nhiệm kỳ, congress to congress): Party numbering
    restarts at 01 per document type in each term."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="terms",
    )
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["organization", "-start_date"]
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start.")})


class NumberSequence(models.Model):
    """The last number used in one register scope.

    `scope` is the numbering key: `in:2026` (arrival numbers per year),
    `out:state:2026`, `out:party:term-3:NQ` (per type per term), etc. The row
    is locked while a number is taken, inside the transaction that stores the
    document, so numbers are unique and gap-free under concurrency.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(max_length=100)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scope"], name="number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.scope} {self.last_number}"


class ReservedNumber(BaseModel):
    """A number taken in advance (số giữ chỗ) for a document to be issued later."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope = models.CharField(_("numbering scope"), max_length=100)
    number = models.PositiveIntegerField(_("number"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    reserved_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+"
    )
    used_by = models.OneToOneField(
        "documents.Document",
        verbose_name=_("used by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reservation",
    )

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-created"]
        verbose_name = _("reserved number")
        verbose_name_plural = _("reserved numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scope", "number"],
                name="reserved_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number:02d} ({self.scope})"


class CaseFile(BaseModel):
    """A case file (hồ sơ công việc) in an organization's file plan for a year.

    Closed files are transferred to the archive within a year; the transfer
    is due `archive_after_months` after closing, and the file is flagged 30
    days before.
    """

    PERMANENT = 0

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="case_files",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("file code"), max_length=50)
    title = models.CharField(_("title"), max_length=500)
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"),
        default=PERMANENT,
        help_text=_("0 means permanent."),
    )
    keeper = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("kept by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    archive_due = models.DateField(_("transfer to archive due"), null=True, blank=True)
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("documents"),
        blank=True,
        related_name="case_files",
    )

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["organization", "-year", "code"]
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "code"], name="case_file_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("documents:casefile", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def transfer_alert(self, today: date) -> bool:
        """Transfer to the archive is due within 30 days and not yet done."""
        return (
            self.archive_due is not None
            and self.transferred_on is None
            and (self.archive_due - today).days <= 30
        )


__all__ = [
    "CaseFile",
    "Direction",
    "DocumentType",
    "NumberSequence",
    "ReservedNumber",
    "Term",
]

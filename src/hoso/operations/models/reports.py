"""Periodic reports: forms defined above, filled in below."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.operations.choices import FieldAggregate, FieldKind, SubmissionStatus
from hoso.organizations.choices import Level


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts))]


class ReportForm(BaseModel):
    """A report form defined by an organization for the levels or the
    organizations below it. Visible in the owner's subtree and to the
    owner's ancestors."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("defined by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("instructions"), blank=True)
    target_level = models.CharField(
        _("for level"), max_length=16, choices=Level.choices, blank=True
    )
    target_organizations = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("for organizations"),
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    scope_path_field = "org_path"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("operations:report-form", args=[self.pk])

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """Forms in the user's subtrees, and (to fill them in) forms defined
        above them."""
        q = super().scope_q(paths, user=user, action=action)
        if action == "view":
            above = {a for path in paths for a in _ancestor_paths(path)}
            if above:
                q |= Q(org_path__in=sorted(above))
        return q


class ReportField(models.Model):
    """A typed field of a report form; an optional indicator it feeds."""

    form = models.ForeignKey(
        ReportForm, on_delete=models.CASCADE, related_name="fields"
    )
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    aggregate = models.CharField(
        _("aggregate up by"),
        max_length=10,
        choices=FieldAggregate.choices,
        blank=True,
    )
    indicator = models.ForeignKey(
        "operations.Indicator",
        verbose_name=_("feeds indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "code"], name="report_field_code")
        ]

    def __str__(self) -> str:
        return self.label


class ReportRound(models.Model):
    """One period of a form: who must report by when."""

    form = models.ForeignKey(
        ReportForm, on_delete=models.CASCADE, related_name="rounds"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("report period")
        verbose_name_plural = _("report periods")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "period_start"], name="one_round_per_form_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} · {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("operations:report-round", args=[self.pk])


class ReportSubmission(BaseModel):
    """One organization's report for one round: draft, submitted, returned,
    accepted. `data` maps field codes to typed JSON values."""

    round = models.ForeignKey(
        ReportRound, on_delete=models.CASCADE, related_name="submissions"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.NOT_STARTED,
    )
    data = models.JSONField(_("answers"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for return"), blank=True)

    scope_path_field = "org_path"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["org_path"]
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="one_submission_per_round_org"
            )
        ]
        indexes = [models.Index(fields=["round", "org_path"])]

    def __str__(self) -> str:
        return f"{self.round.form} · {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("operations:report-submission", args=[self.pk])

"""Indicators as data, their entered values and the rolled-up results."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.operations.choices import (
    Direction,
    Light,
    PeriodKind,
    RollupRule,
    ValueSource,
)
from hoso.organizations.choices import Level


class Indicator(BaseModel):
    """An indicator definition: what is measured, where, how often, which
    value is green, yellow or red, and how values roll up the tree.

    Thresholds read with the direction: for "higher is better" a value at or
    above `green_from` is green, at or above `yellow_from` yellow, else red
    (for "lower is better" at or below). Under the "share of children green"
    rule, a node whose value is rolled up from its children is judged by
    `rollup_green_from` / `rollup_yellow_from` (percent of children green).
    `computed` names a provider (see `operations.indicators`) whose value is
    read from Hoso's own data instead of being entered.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=32, blank=True)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default="higher"
    )
    target = models.FloatField(_("target"), null=True, blank=True)
    target_date = models.DateField(_("target deadline"), null=True, blank=True)
    green_from = models.FloatField(_("green from"))
    yellow_from = models.FloatField(_("yellow from"))
    rule = models.CharField(
        _("roll-up rule"), max_length=16, choices=RollupRule.choices, default="mean"
    )
    rollup_green_from = models.FloatField(_("children green for green (%)"), default=80)
    rollup_yellow_from = models.FloatField(
        _("children green for yellow (%)"), default=50
    )
    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default="quarter"
    )
    measured_level = models.CharField(
        _("measured at level"),
        max_length=16,
        choices=Level.choices,
        blank=True,
        help_text=_("Values are entered at this level and rolled up above it."),
    )
    computed = models.CharField(_("computed from"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("operations:indicator", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.green_from is not None and self.yellow_from is not None:
            if (
                self.direction == Direction.HIGHER
                and self.green_from < self.yellow_from
            ):
                errors["green_from"] = _(
                    "When higher is better, green must start at or above yellow."
                )
            if self.direction == Direction.LOWER and self.green_from > self.yellow_from:
                errors["green_from"] = _(
                    "When lower is better, green must start at or below yellow."
                )
        if self.rollup_green_from < self.rollup_yellow_from:
            errors["rollup_green_from"] = _(
                "Green must need at least as many green children as yellow."
            )
        if self.computed:
            from hoso.operations.indicators import COMPUTED_PROVIDERS

            if self.computed not in COMPUTED_PROVIDERS:
                errors["computed"] = _("Unknown computed indicator.")
        if errors:
            raise ValidationError(errors)

    def light(self, value: float | None) -> int:
        """The traffic light of an own (not rolled-up) value."""
        if value is None:
            return Light.NONE
        if self.direction == Direction.LOWER:
            if value <= self.green_from:
                return Light.GREEN
            return Light.YELLOW if value <= self.yellow_from else Light.RED
        if value >= self.green_from:
            return Light.GREEN
        return Light.YELLOW if value >= self.yellow_from else Light.RED


class IndicatorValue(BaseModel):
    """A value of an indicator for one organization and period, entered by
    hand, fed by an accepted report submission, or computed."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    period_start = models.DateField(_("period"))
    value = models.FloatField(_("value"))
    weight = models.FloatField(_("weight"), default=1)
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ValueSource.choices, default="manual"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "org_path"
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "org_path"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "organization", "period_start"],
                name="one_value_per_indicator_org_period",
            )
        ]
        indexes = [models.Index(fields=["indicator", "period_start", "org_path"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.organization_id} {self.period_start}"


class IndicatorResult(models.Model):
    """The effective value and light of an indicator at one node and period:
    its own value, or its children's rolled up by the indicator's rule, with
    how many nodes below are green, yellow and red.

    Derived data, maintained on every write (see `operations.rollup`), so the
    dashboard reads a handful of rows instead of aggregating the tree.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="results"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    parent_id_copy = models.BigIntegerField(null=True, db_index=False)
    org_path = models.CharField(max_length=255)
    period_start = models.DateField()
    value = models.FloatField(null=True)
    weight = models.FloatField(default=0)
    numerator = models.BigIntegerField(null=True)
    denominator = models.BigIntegerField(null=True)
    light = models.PositiveSmallIntegerField(choices=Light.choices, default=0)
    own = models.BooleanField(default=False)
    green_below = models.PositiveIntegerField(default=0)
    yellow_below = models.PositiveIntegerField(default=0)
    red_below = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "organization"],
                name="one_result_per_indicator_period_org",
            )
        ]
        indexes = [
            models.Index(
                fields=["indicator", "period_start", "parent_id_copy"],
                name="result_siblings_idx",
            ),
            models.Index(fields=["organization", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.organization_id}/{self.period_start}"

    @property
    def counts_total(self) -> int:
        return self.green_below + self.yellow_below + self.red_below


class IndicatorOutbox(models.Model):
    """Organizations whose computed indicators need refreshing: written in
    the transaction that changed a task or a document, drained by a job."""

    org_path = models.CharField(max_length=255)
    topic = models.CharField(max_length=32)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.topic} {self.org_path}"

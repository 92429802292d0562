"""Party dues: the rate table (data, versioned by effective date) and the
payments a cell records."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.members.choices import DuesCategory


class DuesRate(BaseModel):
    """The rate of one dues category from `effective_from` until the next
    row of the same category takes over.

    Either a share of the insured salary / pension (`percent`) or a flat
    monthly amount (`flat_amount`, VND).
    """

    category = models.CharField(
        _("dues category"), max_length=16, choices=DuesCategory.choices
    )
    effective_from = models.DateField(_("effective from"))
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    flat_amount = models.PositiveIntegerField(
        _("flat monthly amount (VND)"), null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["category", "-effective_from"]
        verbose_name = _("dues rate")
        verbose_name_plural = _("dues rates")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "effective_from"], name="members_one_rate_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.effective_from}"

    def clean(self) -> None:
        super().clean()
        if (self.percent is None) == (self.flat_amount is None):
            raise ValidationError(
                _("A dues rate is either a percentage or a flat amount, not both.")
            )


class DuesPayment(BaseModel):
    """A member's dues for one month, recorded by their cell."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_payments"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    amount = models.PositiveIntegerField(_("amount (VND)"))
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-month", "member"]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month"], name="members_one_payment_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%m/%Y}"

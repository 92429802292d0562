"""The annual quality rating of members."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.members.choices import RatingLevel, RatingRoundStatus


class RatingRound(BaseModel):
    """One year's rating in a grassroots organization (all its cells):
    self-assessment → cell review → decision."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("grassroots organization"),
        on_delete=models.PROTECT,
        related_name="rating_rounds",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RatingRoundStatus.choices,
        default=RatingRoundStatus.SELF_ASSESSMENT,
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-year", "organization"]
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="members_one_round_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("members:rating-round", args=[self.pk])


class Rating(models.Model):
    """One member's rating in a round: their own, the cell's, the decision."""

    round = models.ForeignKey(
        RatingRound, on_delete=models.CASCADE, related_name="ratings"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="ratings"
    )
    self_level = models.CharField(
        _("self-assessment"), max_length=16, choices=RatingLevel.choices, blank=True
    )
    self_comment = models.TextField(_("self-assessment comment"), blank=True)
    cell_level = models.CharField(
        _("cell review"), max_length=16, choices=RatingLevel.choices, blank=True
    )
    final_level = models.CharField(
        _("decision"), max_length=16, choices=RatingLevel.choices, blank=True
    )

    class Meta:
        ordering = ["member__full_name"]
        verbose_name = _("rating")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"], name="members_one_rating_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.final_level or self.cell_level}"

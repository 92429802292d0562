"""The annual quality rating: self-assessment → cell review → decision.

A round covers one grassroots organization (all its cells) for a year.
Four levels; at the decision, the members rated "excellent" may be at most
20% of those rated "good" in the grassroots organization (SPEC §5; "good"
counts the members whose decided level is "good", excellent ones apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.members.choices import (
    EventKind,
    RatingLevel,
    RatingRoundStatus,
)
from hoso.members.models import Member, MemberEvent, Rating, RatingRound
from hoso.organizations.choices import Level

EXCELLENT_SHARE_OF_GOOD = 20  # percent


@dataclass
class CapCheck:
    good: int
    excellent: int

    @property
    def allowed(self) -> int:
        return self.good * EXCELLENT_SHARE_OF_GOOD // 100

    @property
    def ok(self) -> bool:
        return self.excellent <= self.allowed

    def message(self) -> str:
        return _(
            "At most 20%% of the members rated “good” may be rated "
            "“excellent”: with %(good)d rated good, at most %(allowed)d may be "
            "excellent, not %(excellent)d."
        ) % {"good": self.good, "allowed": self.allowed, "excellent": self.excellent}


def check_cap(levels) -> CapCheck:
    levels = list(levels)
    return CapCheck(
        good=levels.count(RatingLevel.GOOD),
        excellent=levels.count(RatingLevel.EXCELLENT),
    )


def _level(value: str, field: str) -> str:
    if value not in RatingLevel.values:
        raise ValidationError({field: _("Choose one of the four levels.")})
    return value


def open_round(organization, *, year: int, acting_user) -> RatingRound:
    """Open the year's round in a grassroots organization, with one rating
    per member on the list below it."""
    if not permissions.has_permission(
        acting_user, "members.add_ratinground", organization
    ):
        raise PermissionDenied
    if organization.level != Level.GRASSROOTS:
        raise ValidationError(
            {"organization": _("A rating round is held in a grassroots organization.")}
        )
    with transaction.atomic():
        if RatingRound.objects.filter(organization=organization, year=year).exists():
            raise ValidationError({"year": _("This year's round is already open.")})
        rating_round = RatingRound.objects.create(organization=organization, year=year)
        members = Member.objects.current().in_subtree(organization.path)
        Rating.objects.bulk_create(
            [Rating(round=rating_round, member=m) for m in members]
        )
        audit.record(
            "members.rating_round_opened",
            obj=rating_round,
            actor=acting_user,
            changes={"year": [None, year], "ratings": [None, members.count()]},
        )
    return rating_round


def _locked_round(rating_round: RatingRound) -> RatingRound:
    return (
        RatingRound.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=rating_round.pk)
    )


def self_assess(
    rating: Rating, *, level: str, comment: str = "", acting_user
) -> Rating:
    """The member's own assessment (or the cell's secretary entering it)."""
    _level(level, "self_level")
    with transaction.atomic():
        rating_round = _locked_round(rating.round)
        rating = Rating.objects.select_related("member__organization").get(pk=rating.pk)
        own = rating.member.person_id and rating.member.person.user_id == acting_user.pk
        if not own and not permissions.has_permission(
            acting_user, "members.change_member", rating.member.organization
        ):
            raise PermissionDenied
        if rating_round.status != RatingRoundStatus.SELF_ASSESSMENT:
            raise ValidationError(_("The self-assessment stage is over."))
        rating.self_level = level
        rating.self_comment = comment
        rating.save()
        audit.record(
            "members.self_assessed",
            obj=rating.member,
            actor=acting_user,
            changes={"self_level": [None, level], "year": [None, rating_round.year]},
        )
    return rating


def advance_round(rating_round: RatingRound, *, acting_user) -> RatingRound:
    """Close the self-assessment: the cells review."""
    if not permissions.has_permission(
        acting_user, "members.change_ratinground", rating_round.organization
    ):
        raise PermissionDenied
    with transaction.atomic():
        rating_round = _locked_round(rating_round)
        if rating_round.status != RatingRoundStatus.SELF_ASSESSMENT:
            raise ValidationError(_("The round is not in self-assessment."))
        rating_round.status = RatingRoundStatus.CELL_REVIEW
        rating_round.save()
        audit.record(
            "members.rating_round_advanced",
            obj=rating_round,
            actor=acting_user,
            changes={
                "status": [RatingRoundStatus.SELF_ASSESSMENT, rating_round.status]
            },
        )
    return rating_round


def cell_review(rating: Rating, *, level: str, acting_user) -> Rating:
    """The cell's proposed level for one member."""
    _level(level, "cell_level")
    with transaction.atomic():
        rating_round = _locked_round(rating.round)
        rating = Rating.objects.select_related("member__organization").get(pk=rating.pk)
        if not permissions.has_permission(
            acting_user, "members.change_member", rating.member.organization
        ):
            raise PermissionDenied
        if rating_round.status != RatingRoundStatus.CELL_REVIEW:
            raise ValidationError(_("The round is not in the cell review stage."))
        before = rating.cell_level
        rating.cell_level = level
        rating.save()
        audit.record(
            "members.cell_reviewed",
            obj=rating.member,
            actor=acting_user,
            changes={"cell_level": [before or None, level]},
        )
    return rating


def decide_round(
    rating_round: RatingRound,
    *,
    decided_on: date,
    acting_user,
    levels: dict[int, str] | None = None,
) -> RatingRound:
    """The grassroots committee decides: each member's level is the one in
    `levels` (by rating id) or else the cell's proposal. Refused while a
    member has no level, or when "excellent" exceeds 20% of "good"."""
    if not permissions.has_permission(
        acting_user, "members.change_ratinground", rating_round.organization
    ):
        raise PermissionDenied
    levels = {int(k): _level(v, "final_level") for k, v in (levels or {}).items()}
    with transaction.atomic():
        rating_round = _locked_round(rating_round)
        if rating_round.status != RatingRoundStatus.CELL_REVIEW:
            raise ValidationError(_("The round is not in the cell review stage."))
        ratings = list(rating_round.ratings.select_related("member__organization"))
        missing = []
        for rating in ratings:
            rating.final_level = levels.get(rating.pk, rating.cell_level)
            if not rating.final_level:
                missing.append(str(rating.member))
        if missing:
            raise ValidationError(
                _("These members have no level yet: %(names)s")
                % {"names": ", ".join(missing[:10])}
            )
        cap = check_cap(r.final_level for r in ratings)
        if not cap.ok:
            raise ValidationError({"final_level": cap.message()})
        Rating.objects.bulk_update(ratings, ["final_level"])
        rating_round.status = RatingRoundStatus.DECIDED
        rating_round.decided_on = decided_on
        rating_round.save()
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(
                    member=r.member,
                    kind=EventKind.RATED,
                    on=decided_on,
                    organization=r.member.organization,
                    actor=acting_user,
                    details={"year": rating_round.year, "level": r.final_level},
                )
                for r in ratings
            ]
        )
        audit.record(
            "members.rating_round_decided",
            obj=rating_round,
            actor=acting_user,
            changes={
                "status": [RatingRoundStatus.CELL_REVIEW, RatingRoundStatus.DECIDED],
                "good": [None, cap.good],
                "excellent": [None, cap.excellent],
            },
        )
    return rating_round

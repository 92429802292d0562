"""Votes, their options, and ballots.

Ballot secrecy by construction: a secret ballot (`SecretBallot`) has no
column that points at a voter, no timestamp, and a random primary key, so
neither its content nor its order re-links it to a person (on SQLite the
table is created WITHOUT ROWID so not even the hidden row id records the
insertion order; see the migration). Who has voted is kept apart in
`BallotReceipt`, whose unique constraint (vote, participant) is what stops
anybody from voting twice: the receipt and the ballot are inserted in one
transaction, so a second attempt fails before any ballot is written.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.meetings.choices import Majority, VoteKind, VoteStatus


class Vote(BaseModel):
    """A question put to the meeting: a motion (yes/no/abstain), an election
    (choose up to n) or a ranked choice (instant runoff)."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="votes",
    )
    item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
    )
    question = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=8, choices=VoteKind.choices)
    secret = models.BooleanField(_("secret ballot"), default=False)
    seats = models.PositiveSmallIntegerField(
        _("how many to choose"),
        default=1,
        help_text=_("For a choice among candidates: the most a ballot may mark."),
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (percentage of eligible voters)"),
        default=50,
        help_text=_(
            "The vote counts only when at least this share of the eligible "
            "voters cast a ballot."
        ),
    )
    majority = models.CharField(
        _("majority needed"),
        max_length=16,
        choices=Majority.choices,
        default=Majority.HALF_OF_CAST,
    )
    status = models.CharField(
        _("status"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    eligible_count = models.PositiveIntegerField(
        _("eligible voters"),
        default=0,
        help_text=_("Participants allowed to vote when the vote was opened."),
    )
    result = models.JSONField(_("result"), default=dict, blank=True)

    scope_path_field = "meeting__organization__path"

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return self.question

    def get_absolute_url(self) -> str:
        return reverse("meetings:vote", args=[self.meeting_id, self.pk])

    @classmethod
    def scope_q(cls, paths, *, user, action):
        """The organization subtrees, plus (for viewing) the votes of every
        meeting the user is invited to."""
        from hoso.meetings.models.meeting import Participant

        q = super().scope_q(paths, user=user, action=action)
        if action == "view":
            q |= models.Q(
                meeting_id__in=Participant.objects.filter(person__user=user).values(
                    "meeting_id"
                )
            )
        return q


class VoteOption(models.Model):
    """A candidate or choice of a vote (yes/no/abstain votes need none)."""

    vote = models.ForeignKey(
        Vote, verbose_name=_("vote"), on_delete=models.CASCADE, related_name="options"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    label = models.CharField(_("label"), max_length=255)

    class Meta:
        ordering = ["vote", "position", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.label


class BallotReceipt(models.Model):
    """ "Has voted": one row per participant per vote, nothing about the
    choice. The unique constraint makes a second ballot impossible."""

    vote = models.ForeignKey(
        Vote, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("vote")
    )
    participant = models.ForeignKey(
        "meetings.Participant",
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("participant"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ballot receipt")
        verbose_name_plural = _("ballot receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "participant"], name="meetings_one_ballot_per_voter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.participant_id}"


class OpenBallot(models.Model):
    """A ballot of an open vote: who chose what is part of the record."""

    vote = models.ForeignKey(
        Vote, on_delete=models.CASCADE, related_name="open_ballots"
    )
    participant = models.ForeignKey(
        "meetings.Participant", on_delete=models.CASCADE, related_name="+"
    )
    choice = models.JSONField(_("choice"))

    class Meta:
        verbose_name = _("open ballot")
        verbose_name_plural = _("open ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "participant"], name="meetings_open_ballot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.participant_id}"


def _random_ballot_id() -> str:
    return uuid.uuid4().hex


class SecretBallot(models.Model):
    """A secret ballot: the vote and the choice, nothing else.

    No voter, no time, a random key (not a sequence): rows cannot be put in
    casting order nor matched to receipts.
    """

    id = models.CharField(
        primary_key=True, max_length=32, default=_random_ballot_id, editable=False
    )
    vote = models.ForeignKey(
        Vote, on_delete=models.CASCADE, related_name="secret_ballots"
    )
    choice = models.JSONField(_("choice"))

    class Meta:
        verbose_name = _("secret ballot")
        verbose_name_plural = _("secret ballots")

    def __str__(self) -> str:
        return self.id

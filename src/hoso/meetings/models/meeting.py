"""A meeting and what hangs off it: participants, agenda, documents,
speaking requests and conference bridges."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.meetings.choices import (
    Attendance,
    CheckinMethod,
    Invitation,
    MeetingKind,
    MeetingStatus,
    SpeakingStatus,
)

# Documents must reach participants at least this long before the meeting.
ADVANCE_NOTICE = timedelta(days=1)


def new_room_name() -> str:
    """An unguessable video-conference room name."""
    return "hoso-" + secrets.token_urlsafe(12).replace("_", "x").replace("-", "y")


class MeetingSeries(BaseModel):
    """A rule that generates regular meetings (the monthly cell meeting)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="meeting_series",
    )
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(
        _("kind"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.CELL
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        help_text=_("Months shorter than this day use their last day."),
    )
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    location = models.CharField(_("location"), max_length=255, blank=True)

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["organization__path", "title"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 31:
            raise ValidationError(
                {"day_of_month": _("The day of the month is between 1 and 31.")}
            )


class Meeting(BaseModel):
    """One meeting of an organization: cell meeting, committee session,
    conference or congress.

    People see meetings in the subtree where their role grants
    `meetings.view_meeting`, and every meeting they are invited to.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
    )
    chair = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    secretary = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("minute taker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    online = models.BooleanField(
        _("online conference"),
        default=False,
        help_text=_("Participating organizations join through video bridges."),
    )
    current_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("current agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["organization", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting ends before it starts.")})

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """The organization subtrees, plus (for viewing) every meeting the
        user is invited to, as one subquery."""
        q = super().scope_q(paths, user=user, action=action)
        if action == "view":
            q |= Q(
                pk__in=Participant.objects.filter(person__user=user).values(
                    "meeting_id"
                )
            )
        return q

    @property
    def publication_deadline(self):
        """Documents published after this moment were late."""
        return self.starts_at - ADVANCE_NOTICE

    @property
    def is_open(self) -> bool:
        return self.status in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS)


class Participant(BaseModel):
    """A person invited to a meeting, their answer and their attendance."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="meeting_participations",
    )
    may_vote = models.BooleanField(_("may vote"), default=True)
    invitation = models.CharField(
        _("invitation"),
        max_length=12,
        choices=Invitation.choices,
        default=Invitation.INVITED,
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"),
        max_length=12,
        choices=Attendance.choices,
        default=Attendance.UNKNOWN,
    )
    absence_reason = models.CharField(
        _("reason for absence"), max_length=500, blank=True
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_method = models.CharField(
        _("check-in method"), max_length=8, choices=CheckinMethod.choices, blank=True
    )
    bridge = models.ForeignKey(
        "meetings.Bridge",
        verbose_name=_("bridge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participants",
    )

    scope_path_field = "meeting__organization__path"

    class Meta:
        ordering = ["meeting", "person__full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="meetings_participant_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def is_present(self) -> bool:
        return self.attendance == Attendance.PRESENT


class AgendaItem(BaseModel):
    """One point of the agenda; the minutes' notes are kept per item."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="agenda_items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    presenter = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("presenter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(
        _("notes for the minutes"),
        blank=True,
        help_text=_("What was said and concluded; goes into the minutes."),
    )

    scope_path_field = "meeting__organization__path"

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class AgendaDocument(BaseModel):
    """A document (from the documents app) attached to an agenda item and,
    once published, readable by every participant."""

    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    scope_path_field = "item__meeting__organization__path"

    class Meta:
        ordering = ["item", "pk"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "document"], name="meetings_agendadocument_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.document)

    @property
    def published_late(self) -> bool:
        """Published less than a day before the meeting (or not at all)."""
        meeting = self.item.meeting
        return (
            self.published_at is None
            or self.published_at > meeting.publication_deadline
        )


class SpeakingRequest(BaseModel):
    """A participant asks for the floor; the chair serves the queue in order."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="speaking_requests",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="speaking_requests",
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SpeakingStatus.choices,
        default=SpeakingStatus.WAITING,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_path_field = "meeting__organization__path"

    class Meta:
        ordering = ["meeting", "created", "pk"]
        verbose_name = _("speaking request")
        verbose_name_plural = _("speaking requests")
        constraints = [
            # One request in the queue per participant at a time.
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=Q(status__in=["waiting", "speaking"]),
                name="meetings_speaking_one_active",
            )
        ]

    def __str__(self) -> str:
        return str(self.participant)


class Bridge(BaseModel):
    """A conference bridge (cầu truyền hình): one participating organization
    joins an online conference from its own room."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="bridges",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    room = models.CharField(
        _("video room"), max_length=64, unique=True, default=new_room_name
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    headcount = models.PositiveIntegerField(
        _("people present"),
        null=True,
        blank=True,
        help_text=_("Counted at the bridge by its operator."),
    )
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    scope_path_field = "meeting__organization__path"

    class Meta:
        ordering = ["meeting", "organization__path"]
        verbose_name = _("bridge")
        verbose_name_plural = _("bridges")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organization"], name="meetings_bridge_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.organization)

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """The host's subtree, plus the bridges of the user's own
        organizations (a bridge operator runs their own room)."""
        q = super().scope_q(paths, user=user, action=action)
        for path in paths:
            q |= Q(organization__path__startswith=path)
        return q

    def video_url(self) -> str:
        from django.conf import settings

        base = settings.MEETINGS_VIDEO_BASE_URL.rstrip("/")
        return f"{base}/{self.room}"

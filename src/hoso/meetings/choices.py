"""Choices of the meetings app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    """What sort of meeting it is."""

    CELL = "cell", _("Regular cell meeting")
    COMMITTEE = "committee", _("Committee session")
    CONFERENCE = "conference", _("Conference")
    CONGRESS = "congress", _("Congress")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Invitation(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not recorded")
    PRESENT = "present", _("Present")
    ABSENT_EXCUSED = "excused", _("Absent with reason")
    ABSENT = "absent", _("Absent without reason")


class CheckinMethod(models.TextChoices):
    QR = "qr", _("QR code")
    MANUAL = "manual", _("By the secretary")
    BRIDGE = "bridge", _("At a conference bridge")


class SpeakingStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SPEAKING = "speaking", _("Speaking")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class VoteKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no / abstain")
    CHOOSE = "choose", _("Choose up to n")
    RANKED = "ranked", _("Ranked (instant runoff)")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Majority(models.TextChoices):
    """What a motion or candidate needs to pass."""

    SIMPLE = "simple", _("More yes than no")
    HALF_OF_CAST = "half_cast", _("More than half of the ballots cast")
    HALF_OF_ELIGIBLE = "half_eligible", _("More than half of the eligible voters")
    TWO_THIRDS_OF_CAST = "two_thirds", _("At least two thirds of the ballots cast")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")


class ConclusionStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    TASK_CREATED = "task", _("Task created")


YES, NO, ABSTAIN = "yes", "no", "abstain"
YES_NO_CHOICES = [
    (YES, _("Yes")),
    (NO, _("No")),
    (ABSTAIN, _("Abstain")),
]

"""Choices of the member records."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberStatus(models.TextChoices):
    """Where a member stands. Only probationary and full members are on the
    list (counted); the others are kept for the register and the history."""

    PROBATIONARY = "probationary", _("Probationary")
    FULL = "full", _("Full member")
    REMOVED = "removed", _("Removed from the list")
    EXPELLED = "expelled", _("Expelled")
    DECEASED = "deceased", _("Deceased")


CURRENT_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)


class ServiceBackground(models.TextChoices):
    """The 7-HSĐV column "army / police / retired"."""

    NONE = "", _("None")
    ARMY = "army", _("Army")
    POLICE = "police", _("Police")
    RETIRED = "retired", _("Retired")


class DuesCategory(models.TextChoices):
    """How a member's monthly dues are computed (the rate table is data)."""

    SALARIED = "salaried", _("Salaried (share of the insured salary)")
    PENSIONER = "pensioner", _("Pensioner (share of the pension)")
    OTHER = "other", _("Other (flat monthly amount)")


class EventKind(models.TextChoices):
    """The kinds of entries on a member's timeline."""

    ADMITTED = "admitted", _("Admitted")
    FULL_MEMBERSHIP = "full_membership", _("Recognized as a full member")
    PROBATION_REJECTED = "probation_rejected", _("Removed from the probationary list")
    TRANSFER_SENT = "transfer_sent", _("Official transfer sent")
    TRANSFER_RECEIVED = "transfer_received", _("Official transfer received")
    TRANSFER_CANCELLED = "transfer_cancelled", _("Official transfer cancelled")
    TEMPORARY_STARTED = "temporary_started", _("Temporary transfer started")
    TEMPORARY_ENDED = "temporary_ended", _("Temporary transfer ended")
    EXEMPTED = "exempted", _("Exempted from activities")
    EXEMPTION_ENDED = "exemption_ended", _("Exemption ended")
    REMOVED = "removed", _("Removed from the list")
    DISCIPLINED = "disciplined", _("Disciplined")
    DIED = "died", _("Died")
    PROFILE_CHANGED = "profile_changed", _("Profile changed")
    IMPORTED = "imported", _("Imported")
    CARD_ISSUED = "card_issued", _("Card issued")
    CITIZEN_ID_CHECKED = "citizen_id_checked", _("Citizen ID checked")
    RATED = "rated", _("Annual rating decided")
    RESTRUCTURED = "restructured", _("Handed over in a restructuring")


class TransferKind(models.TextChoices):
    OFFICIAL = "official", _("Official")
    TEMPORARY = "temporary", _("Temporary")


class TransferStatus(models.TextChoices):
    """Official: sent → received (or cancelled). Temporary: active → ended."""

    SENT = "sent", _("Sent, waiting for the target")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class TemporaryPurpose(models.TextChoices):
    WORK = "work", _("Work")
    STUDY = "study", _("Study")


class DisciplineForm(models.TextChoices):
    """The four forms, mildest first; probationary members: the first two."""

    REPRIMAND = "reprimand", _("Reprimand (khiển trách)")
    WARNING = "warning", _("Warning (cảnh cáo)")
    DISMISSAL = "dismissal", _("Dismissal (cách chức)")
    EXPULSION = "expulsion", _("Expulsion (khai trừ)")


PROBATIONARY_DISCIPLINE = (DisciplineForm.REPRIMAND, DisciplineForm.WARNING)


class RatingLevel(models.TextChoices):
    """Annual quality rating, best first."""

    EXCELLENT = "excellent", _("Excellently completed tasks")
    GOOD = "good", _("Well completed tasks")
    COMPLETED = "completed", _("Completed tasks")
    NOT_COMPLETED = "not_completed", _("Did not complete tasks")


class RatingRoundStatus(models.TextChoices):
    """Self-assessment → cell review → decision."""

    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    CELL_REVIEW = "cell_review", _("Cell review")
    DECIDED = "decided", _("Decided")


class CitizenCheckStatus(models.TextChoices):
    UNCHECKED = "", _("Not checked")
    PENDING = "pending", _("Waiting for the registry")
    VERIFIED = "verified", _("Verified")
    MISMATCH = "mismatch", _("Does not match the registry")
    NOT_FOUND = "not_found", _("Not in the registry")
    FAILED = "failed", _("Registry unreachable")

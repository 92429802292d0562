"""Choices of the operations centre."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    """Where a task stands: assigned → in progress → submitted → accepted,
    or returned for more work; cancelled by the assigner."""

    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    RETURNED = "returned", _("Returned for more work")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TASK_STATUSES = [
    TaskStatus.ASSIGNED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.SUBMITTED,
    TaskStatus.RETURNED,
]


class SourceKind(models.TextChoices):
    """Where a task comes from."""

    NONE = "", _("Not linked")
    DOCUMENT = "document", _("Document")
    MEETING = "meeting", _("Meeting conclusion")
    OTHER = "other", _("Other")


class TaskEventKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    PROGRESS = "progress", _("Progress report")
    SUBMITTED = "submitted", _("Result submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    CANCELLED = "cancelled", _("Cancelled")
    SUBTASK = "subtask", _("Subtask assigned")
    HANDED_OVER = "handed_over", _("Handed over in a restructuring")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Direction(models.TextChoices):
    """Which way an indicator is better."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class RollupRule(models.TextChoices):
    """How a parent's value follows from its children's."""

    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    WEIGHTED_MEAN = "weighted_mean", _("Weighted mean")
    MIN = "min", _("Minimum")
    SHARE_GREEN = "share_green", _("Share of children green")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


class ValueSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    REPORT = "report", _("Report submission")
    COMPUTED = "computed", _("Computed from Hoso's data")


class Light(models.IntegerChoices):
    """A traffic light; the order lets the worst of several be a min()."""

    NONE = 0, _("No data")
    RED = 1, _("Red")
    YELLOW = 2, _("Yellow")
    GREEN = 3, _("Green")


LIGHT_CSS = {0: "secondary", 1: "danger", 2: "warning", 3: "success"}


class FieldKind(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    PERCENT = "percent", _("Percentage")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")


class FieldAggregate(models.TextChoices):
    NONE = "", _("Not aggregated")
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")
    COUNT_YES = "count_yes", _("Count of yes")


class SubmissionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")

"""Computed indicators and indicator periods.

A computed provider is `fn(organization, start: date, end: date) ->
tuple[int, int]`: (numerator, denominator) over the organization's whole
subtree for the period. Providers are named by dotted path and imported
lazily, so an indicator of an app that is not installed (members, meetings
on other branches) shows "not available" instead of breaking the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from hoso.operations.choices import PeriodKind

Provider = Callable[[object, date, date], tuple[int, int]]

# code → (label, dotted path, outbox topic that makes it stale)
COMPUTED_PROVIDERS: dict[str, tuple[str, str, str]] = {
    "documents_on_time": (
        _("Share of incoming documents processed on time"),
        "hoso.operations.indicators.documents_on_time",
        "documents",
    ),
    "tasks_on_time": (
        _("Share of tasks completed on time"),
        "hoso.operations.indicators.tasks_on_time",
        "tasks",
    ),
    "digital_records": (
        _("Share of members with a complete digital record"),
        "hoso.members.indicators.digital_record_share",
        "members",
    ),
    "advance_publication": (
        _("Share of cell meetings with documents published in advance"),
        "hoso.meetings.indicators.advance_publication_share",
        "meetings",
    ),
}


def computed_choices() -> list[tuple[str, str]]:
    return [("", _("Entered or reported"))] + [
        (code, label) for code, (label, _path, _topic) in COMPUTED_PROVIDERS.items()
    ]


def resolve(code: str) -> Provider | None:
    """The provider function, or None when its app is not installed."""
    entry = COMPUTED_PROVIDERS.get(code)
    if entry is None:
        return None
    try:
        return import_string(entry[1])
    except ImportError:
        return None


def topic_codes(topic: str) -> list[str]:
    return [code for code, entry in COMPUTED_PROVIDERS.items() if entry[2] == topic]


# Built-in providers ---------------------------------------------------------


def documents_on_time(organization, start: date, end: date) -> tuple[int, int]:
    """Incoming documents of the subtree whose deadline fell in the period
    and has passed (or that are completed): how many were completed by it."""
    from hoso.documents.choices import Direction, Status
    from hoso.documents.models import Document

    today = timezone.localdate()
    qs = Document.objects.filter(
        org_path__startswith=organization.path,
        direction=Direction.INCOMING,
        due_date__gte=start,
        due_date__lte=end,
    ).exclude(status__in=[Status.REFUSED, Status.WITHDRAWN])
    qs = qs.filter(Q(due_date__lt=today) | Q(completed_at__isnull=False))
    denominator = qs.count()
    numerator = (
        qs.filter(completed_at__isnull=False)
        .annotate(done_on=TruncDate("completed_at"))
        .filter(done_on__lte=F("due_date"))
        .count()
    )
    return numerator, denominator


def tasks_on_time(organization, start: date, end: date) -> tuple[int, int]:
    """Tasks of the subtree whose deadline fell in the period and has passed
    (or that are accepted): how many had their result submitted by it."""
    from hoso.operations.choices import TaskStatus
    from hoso.operations.models import Task

    today = timezone.localdate()
    qs = Task.objects.filter(
        org_path__startswith=organization.path, deadline__gte=start, deadline__lte=end
    ).exclude(status=TaskStatus.CANCELLED)
    qs = qs.filter(Q(deadline__lt=today) | Q(status=TaskStatus.ACCEPTED))
    denominator = qs.count()
    numerator = (
        qs.filter(status=TaskStatus.ACCEPTED, submitted_at__isnull=False)
        .annotate(done_on=TruncDate("submitted_at"))
        .filter(done_on__lte=F("deadline"))
        .count()
    )
    return numerator, denominator


# Periods --------------------------------------------------------------------


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The first and last day of the period of `kind` containing `day`."""
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
    elif kind == PeriodKind.QUARTER:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        following = (start + timedelta(days=95)).replace(day=1)
    else:
        start = date(day.year, 1, 1)
        following = date(day.year + 1, 1, 1)
    return start, following - timedelta(days=1)


def previous_periods(kind: str, day: date, count: int) -> list[tuple[date, date]]:
    """`count` periods ending with the one containing `day`, oldest first."""
    periods = []
    current = day
    for _index in range(count):
        start, end = period_bounds(kind, current)
        periods.append((start, end))
        current = start - timedelta(days=1)
    return list(reversed(periods))


def period_label(kind: str, start: date) -> str:
    if kind == PeriodKind.MONTH:
        return f"{start.month:02d}/{start.year}"
    if kind == PeriodKind.QUARTER:
        return f"Q{(start.month - 1) // 3 + 1}/{start.year}"
    return str(start.year)

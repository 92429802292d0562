"""Indicators computed live from the meetings (read by the operations app)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from hoso.meetings.choices import MeetingKind, MeetingStatus
from hoso.meetings.models import ADVANCE_NOTICE, AgendaDocument, Meeting


def advance_publication_share(organization, start: date, end: date) -> tuple[int, int]:
    """(cell meetings in `organization`'s subtree held between `start` and
    `end` inclusive whose documents were all published at least a day
    before, all cell meetings held in the period).

    A meeting without documents counts as published in time (nothing was
    late); a document never published counts as late.
    """
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), tz)
    until = timezone.make_aware(datetime.combine(end, time.max), tz)
    held = Meeting.objects.filter(
        organization__path__startswith=organization.path,
        kind=MeetingKind.CELL,
        starts_at__gte=since,
        starts_at__lte=until,
    ).exclude(status=MeetingStatus.CANCELLED)
    late = AgendaDocument.objects.filter(item__meeting=OuterRef("pk")).filter(
        Q(published_at__isnull=True)
        | Q(published_at__gt=F("item__meeting__starts_at") - ADVANCE_NOTICE)
    )
    total = held.count()
    on_time = held.exclude(Exists(late)).count()
    return on_time, total

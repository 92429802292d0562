"""Background jobs of the meetings app."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

# Participants are reminded this long before a meeting starts.
REMINDER_AHEAD = timedelta(hours=24)


def remind_upcoming(now=None) -> int:
    """Notify the participants (not declined) of every meeting starting in
    the next 24 hours; the dedupe key makes a second run send nothing.
    Returns how many notifications were written."""
    from hoso.meetings.choices import Invitation, MeetingStatus
    from hoso.meetings.models import Meeting
    from hoso.notifications.services import notify

    now = now or timezone.now()
    written = 0
    meetings = Meeting.objects.filter(
        status=MeetingStatus.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
    )
    for meeting in meetings:
        users = [
            p.person.user
            for p in meeting.participants.exclude(
                invitation=Invitation.DECLINED
            ).select_related("person__user")
        ]
        with transaction.atomic():
            written += len(
                notify(
                    users,
                    kind="meeting_reminder",
                    title=_("Tomorrow: %(title)s") % {"title": meeting.title},
                    body=timezone.localtime(meeting.starts_at).strftime(
                        "%d/%m/%Y %H:%M"
                    )
                    + (f" · {meeting.location}" if meeting.location else ""),
                    url=meeting.get_absolute_url(),
                    dedupe_key=f"meeting-reminder:{meeting.pk}",
                )
            )
    return written


@task()
def send_meeting_reminders() -> int:
    """Periodic: remind participants of meetings in the next 24 hours."""
    return remind_upcoming()

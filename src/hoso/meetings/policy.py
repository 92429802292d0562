"""Who may do what with a meeting (the buttons and the services ask here)."""

from __future__ import annotations

from hoso.core import permissions
from hoso.meetings.models import Meeting, Participant


def can_manage(meeting: Meeting, user) -> bool:
    """Run the meeting: agenda, documents, check-in, floor, votes, minutes."""
    return permissions.has_permission(
        user, "meetings.change_meeting", meeting.organization
    )


def participant_of(meeting: Meeting, user) -> Participant | None:
    """The user's own participant row in the meeting, if invited."""
    person = getattr(user, "person", None)
    if person is None:
        return None
    return Participant.objects.filter(meeting=meeting, person=person).first()


def can_sign_minutes(meeting: Meeting, user) -> bool:
    """The chair (or minute taker) signs, holding the permission to approve."""
    person = getattr(user, "person", None)
    return (
        person is not None
        and person.pk in (meeting.chair_id, meeting.secretary_id)
        and permissions.has_permission(
            user, "meetings.change_minutes", meeting.organization
        )
    )

"""Fixtures: a cell with its secretary (who runs meetings) and members."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hoso.accounts.models import Role
from hoso.core.testing.factories import PersonFactory, PositionFactory
from hoso.meetings import services
from hoso.meetings.choices import MeetingKind


@pytest.fixture
def cell_people(tree):
    """The secretary of cell A-1 and four members holding positions there."""
    secretary = PersonFactory(full_name="Bí thư Chi bộ")
    PositionFactory(
        person=secretary,
        organization=tree["cell_a"],
        role=Role.objects.get(code="secretary"),
    )
    members = []
    for n in range(4):
        member = PersonFactory(full_name=f"Đảng viên {n}")
        PositionFactory(
            person=member,
            organization=tree["cell_a"],
            role=Role.objects.get(code="member"),
        )
        members.append(member)
    return {"secretary": secretary, "members": members}


@pytest.fixture
def meeting(tree, cell_people):
    starts = timezone.now() + timedelta(days=3)
    return services.schedule_meeting(
        organization=tree["cell_a"],
        kind=MeetingKind.CELL,
        title="Sinh hoạt chi bộ tháng 12",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        chair=cell_people["secretary"],
        secretary=cell_people["secretary"],
        acting_user=cell_people["secretary"].user,
    )


@pytest.fixture
def running(meeting, cell_people):
    """The meeting in progress with everybody checked in."""
    user = cell_people["secretary"].user
    services.add_agenda_item(meeting, title="Nghị quyết tháng", acting_user=user)
    services.start_meeting(meeting, acting_user=user)
    for participant in meeting.participants.all():
        services.check_in_with_token(
            meeting, services.checkin_token(participant), acting_user=user
        )
    meeting.refresh_from_db()
    return meeting

"""Scheduling, invitations, documents published in advance, QR check-in,
absence reasons and the speaking queue."""

from datetime import date, time, timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.documents.models import Document
from hoso.meetings import indicators, services
from hoso.meetings.choices import Attendance, Invitation, MeetingKind, SpeakingStatus
from hoso.meetings.models import Meeting, Participant
from hoso.notifications.models import Notification


def test_schedule_invites_the_cell(
    meeting, cell_people, django_capture_on_commit_callbacks
):
    """GIVEN a cell with a secretary and four members
    WHEN the secretary schedules a meeting
    THEN all five are invited and the scheduling is audited."""
    invited = set(meeting.participants.values_list("person_id", flat=True))
    expected = {cell_people["secretary"].pk} | {m.pk for m in cell_people["members"]}
    assert invited == expected
    assert AuditEntry.objects.filter(action="meetings.scheduled").exists()


def test_invitations_notify(tree, cell_people, django_capture_on_commit_callbacks):
    starts = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.schedule_meeting(
            organization=tree["cell_a"],
            kind=MeetingKind.CELL,
            title="Họp",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            acting_user=cell_people["secretary"].user,
        )
    member = cell_people["members"][0]
    assert Notification.objects.filter(
        recipient=member.user, kind="meeting_invitation", url=meeting.get_absolute_url()
    ).exists()


def test_member_cannot_schedule(tree, cell_people):
    starts = timezone.now()
    with pytest.raises(PermissionDenied):
        services.schedule_meeting(
            organization=tree["cell_a"],
            kind=MeetingKind.CELL,
            title="Họp",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            acting_user=cell_people["members"][0].user,
        )


def test_bad_times_are_refused(tree, cell_people):
    starts = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.schedule_meeting(
            organization=tree["cell_a"],
            kind=MeetingKind.CELL,
            title="Họp",
            starts_at=starts,
            ends_at=starts - timedelta(hours=1),
            acting_user=cell_people["secretary"].user,
        )
    assert "ends_at" in error.value.message_dict
    assert not Meeting.objects.exists()


def test_monthly_series(tree, cell_people):
    """GIVEN a rule "the 31st of every month"
    WHEN six months are generated, then generated again
    THEN six meetings exist, short months use their last day, and the second
    run adds nothing."""
    user = cell_people["secretary"].user
    series, created = services.generate_monthly_series(
        organization=tree["cell_a"],
        title="Sinh hoạt chi bộ định kỳ",
        day_of_month=31,
        start_time=time(14, 0),
        duration_minutes=120,
        first_month=date(2027, 1, 1),
        months=6,
        acting_user=user,
    )
    assert len(created) == 6
    days = sorted(timezone.localtime(m.starts_at).date() for m in created)
    assert days[1] == date(2027, 2, 28)
    assert days[3] == date(2027, 4, 30)
    _series, again = services.generate_monthly_series(
        organization=tree["cell_a"],
        title="Sinh hoạt chi bộ định kỳ",
        day_of_month=31,
        start_time=time(14, 0),
        duration_minutes=120,
        first_month=date(2027, 1, 1),
        months=7,
        acting_user=user,
    )
    assert len(again) == 1
    assert series.meetings.count() == 7


def test_decline_needs_reason_and_becomes_absence_reason(meeting, cell_people):
    member = cell_people["members"][0]
    with pytest.raises(ValidationError):
        services.respond(meeting, acting_user=member.user, accept=False)
    participant = services.respond(
        meeting, acting_user=member.user, accept=False, reason="Đi công tác"
    )
    assert participant.invitation == Invitation.DECLINED
    assert participant.attendance == Attendance.ABSENT_EXCUSED
    assert participant.absence_reason == "Đi công tác"
    accepted = services.respond(meeting, acting_user=member.user, accept=True)
    assert accepted.attendance == Attendance.UNKNOWN


def test_outsider_cannot_respond(meeting, make_user, tree):
    outsider = make_user("member", tree["cell_b"])
    with pytest.raises(PermissionDenied):
        services.respond(meeting, acting_user=outsider, accept=True)


def _document(organization, secrecy=0):
    from hoso.core.testing.factories import UserFactory
    from hoso.documents.models import DocumentType

    doc_type = DocumentType.objects.get(system="party", code="NQ")
    return Document.objects.create(
        created_by=UserFactory(),
        organization=organization,
        org_path=organization.path,
        direction="internal",
        status="draft",
        doc_type=doc_type,
        excerpt="Nghị quyết về chuyển đổi số",
        register_year=2026,
        secrecy=secrecy,
    )


def test_documents_published_late_are_flagged(meeting, cell_people, tree):
    """GIVEN a meeting in three days with a document on its agenda
    WHEN the secretary publishes now
    THEN the participants can read it and it is on time; a meeting starting
    in an hour is flagged late."""
    user = cell_people["secretary"].user
    item = services.add_agenda_item(meeting, title="Nghị quyết", acting_user=user)
    attached = services.attach_document(
        item, _document(tree["cell_a"]), acting_user=user
    )
    member = cell_people["members"][0].user
    assert not services.published_documents_for(meeting, member).exists()
    published, late = services.publish_documents(meeting, acting_user=user)
    assert (published, late) == (1, False)
    assert list(services.published_documents_for(meeting, member)) == [attached]
    attached.refresh_from_db()
    assert not attached.published_late

    soon = timezone.now() + timedelta(hours=1)
    meeting.starts_at, meeting.ends_at = soon, soon + timedelta(hours=1)
    meeting.save()
    attached.refresh_from_db()
    assert attached.published_late
    today = timezone.localdate()
    assert indicators.advance_publication_share(
        tree["province"], today - timedelta(days=1), today + timedelta(days=1)
    ) == (0, 1)


def test_indicator_counts_on_time_meetings(meeting, cell_people, tree):
    user = cell_people["secretary"].user
    item = services.add_agenda_item(meeting, title="Nghị quyết", acting_user=user)
    services.attach_document(item, _document(tree["cell_a"]), acting_user=user)
    services.publish_documents(meeting, acting_user=user)
    day = timezone.localdate(meeting.starts_at)
    assert indicators.advance_publication_share(tree["a"], day, day) == (1, 1)
    assert indicators.advance_publication_share(tree["b"], day, day) == (0, 0)


def test_cannot_attach_an_invisible_document(meeting, cell_people, tree):
    user = cell_people["secretary"].user
    item = services.add_agenda_item(meeting, title="Nghị quyết", acting_user=user)
    with pytest.raises(ValidationError):
        services.attach_document(item, _document(tree["cell_b"]), acting_user=user)


def test_qr_check_in(meeting, cell_people):
    """GIVEN a participant's signed QR token
    WHEN the secretary's page submits it
    THEN they are present (by QR); tampered and foreign tokens are refused."""
    user = cell_people["secretary"].user
    participant = meeting.participants.get(person=cell_people["members"][0])
    token = services.checkin_token(participant)
    checked = services.check_in_with_token(meeting, token, acting_user=user)
    assert checked.attendance == Attendance.PRESENT
    assert checked.checkin_method == "qr"
    with pytest.raises(ValidationError):
        services.check_in_with_token(meeting, token[:-2] + "xx", acting_user=user)
    forged = signing.dumps(
        {"m": meeting.pk + 1, "p": participant.pk}, salt="hoso.meetings.checkin"
    )
    with pytest.raises(ValidationError):
        services.check_in_with_token(meeting, forged, acting_user=user)
    other_salt = signing.dumps({"m": meeting.pk, "p": participant.pk})
    with pytest.raises(ValidationError):
        services.check_in_with_token(meeting, other_salt, acting_user=user)


def test_member_cannot_check_others_in(meeting, cell_people):
    participant = meeting.participants.get(person=cell_people["members"][0])
    with pytest.raises(Meeting.DoesNotExist):
        services.check_in_with_token(
            meeting,
            services.checkin_token(participant),
            acting_user=cell_people["members"][1].user,
        )


def test_absence_needs_reason(meeting, cell_people):
    user = cell_people["secretary"].user
    participant = meeting.participants.get(person=cell_people["members"][1])
    with pytest.raises(ValidationError):
        services.record_attendance(
            participant, attendance=Attendance.ABSENT_EXCUSED, acting_user=user
        )
    services.record_attendance(
        participant, attendance=Attendance.ABSENT_EXCUSED, reason="Ốm", acting_user=user
    )
    participant.refresh_from_db()
    assert participant.absence_reason == "Ốm"


def test_speaking_queue(running, cell_people):
    """GIVEN a meeting in progress
    WHEN two members ask for the floor and the chair advances
    THEN they speak in the order they asked; nobody queues twice."""
    first, second = cell_people["members"][:2]
    services.request_floor(running, acting_user=first.user, topic="Ý kiến 1")
    services.request_floor(running, acting_user=second.user)
    with pytest.raises(ValidationError):
        services.request_floor(running, acting_user=first.user)
    chair = cell_people["secretary"].user
    speaker = services.advance_floor(running, acting_user=chair)
    assert speaker.participant.person == first
    speaker = services.advance_floor(running, acting_user=chair)
    assert speaker.participant.person == second
    assert services.advance_floor(running, acting_user=chair) is None
    assert not running.speaking_requests.filter(status=SpeakingStatus.WAITING).exists()


def test_close_marks_missing_people_absent(meeting, cell_people):
    user = cell_people["secretary"].user
    services.start_meeting(meeting, acting_user=user)
    services.close_meeting(meeting, acting_user=user)
    assert not Participant.objects.filter(
        meeting=meeting, attendance=Attendance.UNKNOWN
    ).exists()


def test_reminders_once_per_meeting(meeting, cell_people):
    """GIVEN a meeting starting within 24 hours, one invitee declined
    WHEN the reminder job runs twice
    THEN the others are reminded once."""
    from hoso.meetings.tasks import remind_upcoming

    services.respond(
        meeting, acting_user=cell_people["members"][3].user, accept=False, reason="Ốm"
    )
    now = meeting.starts_at - timedelta(hours=5)
    assert remind_upcoming(now) == 4
    assert remind_upcoming(now) == 0
    assert not Notification.objects.filter(
        recipient=cell_people["members"][3].user, kind="meeting_reminder"
    ).exists()
    assert remind_upcoming(meeting.starts_at - timedelta(days=2)) == 0

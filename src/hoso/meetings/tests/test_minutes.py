"""Minutes generated in one action, edited, approved and signed; the
conclusions with the six clears."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hoso.documents import storage
from hoso.meetings import services
from hoso.meetings.choices import Attendance, MinutesStatus, VoteKind
from hoso.signing import ca
from hoso.signing.services import verify_pdf

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture
def held(running, cell_people):
    """A meeting with notes, an absentee with a reason, a secret vote and a
    conclusion, then closed."""
    chair = cell_people["secretary"].user
    item = running.agenda_items.get()
    services.update_item_notes(
        item, notes="Chi bộ thảo luận và thống nhất.", acting_user=chair
    )
    absent = running.participants.get(person=cell_people["members"][3])
    services.record_attendance(
        absent,
        attendance=Attendance.ABSENT_EXCUSED,
        reason="Đi công tác",
        acting_user=chair,
    )
    vote = services.create_vote(
        running,
        question="Thông qua nghị quyết tháng",
        kind=VoteKind.YES_NO,
        secret=True,
        item=item,
        acting_user=chair,
    )
    services.open_vote(vote, acting_user=chair)
    for person in [cell_people["secretary"], *cell_people["members"][:3]]:
        services.cast_ballot(vote, acting_user=person.user, choice="yes")
    services.add_conclusion(
        running,
        acting_user=chair,
        title="Triển khai nghị quyết đến đảng viên",
        lead=cell_people["members"][0],
        deadline=timezone.localdate() + timedelta(days=30),
        product="Báo cáo kết quả",
        authority=cell_people["secretary"],
        coordinators=[cell_people["members"][1]],
        item=item,
    )
    services.close_meeting(running, acting_user=chair)
    running.refresh_from_db()
    return running


def test_minutes_are_generated_from_the_meeting(held, cell_people):
    """GIVEN a held meeting
    WHEN the secretary generates the minutes
    THEN they hold the attendance with the absence reason, the agenda with
    its notes, the vote's result and the conclusion."""
    minutes = services.generate_minutes(held, acting_user=cell_people["secretary"].user)
    text = minutes.text
    assert "4 of 5 present" in text
    assert "Đi công tác" in text
    assert "1. Nghị quyết tháng" in text
    assert "Chi bộ thảo luận và thống nhất." in text
    assert (
        "secret ballot" in text
        and "yes 4, no 0, abstain 0" in text
        and "adopted" in text
    )
    assert "Triển khai nghị quyết đến đảng viên" in text and "Báo cáo kết quả" in text


def test_edit_approve_sign(held, cell_people):
    chair = cell_people["secretary"].user
    ca.init_internal_ca("Tỉnh ủy Thử")
    ca.issue_person_certificate(cell_people["secretary"])
    minutes = services.generate_minutes(held, acting_user=chair)
    minutes = services.update_minutes(
        minutes, text=minutes.text + "\nBổ sung.", acting_user=chair
    )
    with pytest.raises(ValidationError):
        services.sign_minutes(
            minutes, acting_user=chair, password=PASSWORD
        )  # not approved
    minutes = services.approve_minutes(minutes, acting_user=chair)
    with pytest.raises(ValidationError):
        services.update_minutes(minutes, text="x", acting_user=chair)
    with pytest.raises(ValidationError):
        services.sign_minutes(minutes, acting_user=chair, password="wrong")
    minutes = services.sign_minutes(minutes, acting_user=chair, password=PASSWORD)
    assert minutes.status == MinutesStatus.SIGNED
    reports = verify_pdf(storage.read_file(minutes.signed_file))
    assert len(reports) == 1 and reports[0].intact


def test_member_cannot_approve(held, cell_people):
    minutes = services.generate_minutes(held, acting_user=cell_people["secretary"].user)
    with pytest.raises((PermissionDenied, type(held).DoesNotExist)):
        services.approve_minutes(minutes, acting_user=cell_people["members"][0].user)


def test_approve_needs_a_closed_meeting(running, cell_people):
    chair = cell_people["secretary"].user
    minutes = services.generate_minutes(running, acting_user=chair)
    with pytest.raises(ValidationError):
        services.approve_minutes(minutes, acting_user=chair)


def test_conclusion_needs_the_six_clears(running, cell_people):
    with pytest.raises(ValidationError) as error:
        services.add_conclusion(
            running,
            acting_user=cell_people["secretary"].user,
            title="",
            lead=None,
            deadline=timezone.localdate() - timedelta(days=30),
            product="",
            authority=None,
        )
    assert {"title", "lead", "deadline", "product", "authority"} <= set(
        error.value.message_dict
    )
    assert not running.conclusions.exists()


def test_conclusion_stays_a_record_without_operations(
    running, cell_people, monkeypatch
):
    """Without the operations app a conclusion keeps its six clears as a
    record, to become a task later."""
    monkeypatch.setattr(services, "operations_installed", lambda: False)
    conclusion = services.add_conclusion(
        running,
        acting_user=cell_people["secretary"].user,
        title="Rà soát hồ sơ đảng viên",
        lead=cell_people["members"][0],
        deadline=timezone.localdate() + timedelta(days=30),
        product="Danh sách hồ sơ đã rà soát",
        authority=cell_people["secretary"],
        coordinators=[cell_people["members"][1]],
    )
    assert conclusion.task_id is None and conclusion.status == "recorded"
    assert conclusion.coordinators.count() == 1


def test_conclusion_becomes_a_task_of_the_operations_centre(held, cell_people):
    """A conclusion with the six clears becomes a task of the operations app,
    linked back to the meeting; converting it again changes nothing."""
    from hoso.operations.models import Task

    conclusion = held.conclusions.get()
    secretary = cell_people["secretary"].user
    task_id = services.conclusion_to_task(conclusion, acting_user=secretary)
    task = Task.objects.get(pk=task_id)
    assert (task.source_kind, task.source_id) == ("meeting", held.pk)
    assert task.lead == conclusion.lead and task.authority == conclusion.authority
    assert task.product == conclusion.product and task.deadline == conclusion.deadline
    assert list(task.coordinators.all()) == [cell_people["members"][1]]
    assert task.organization == held.organization
    conclusion.refresh_from_db()
    assert conclusion.task_id == task.pk and conclusion.status == "task"
    assert services.conclusion_to_task(conclusion, acting_user=secretary) == task.pk
    assert Task.objects.filter(source_kind="meeting", source_id=held.pk).count() == 1


def test_minutes_pages(client, held, cell_people):
    client.force_login(cell_people["secretary"].user)
    response = client.post(reverse("meetings:minutes-generate", args=[held.pk]))
    assert response.status_code == 302
    response = client.get(reverse("meetings:minutes", args=[held.pk]))
    assert "Đi công tác" in response.content.decode()
    response = client.get(reverse("meetings:minutes-pdf", args=[held.pk]))
    assert response["Content-Type"] == "application/pdf"


def test_participants_read_minutes_once_approved(client, held, cell_people):
    chair = cell_people["secretary"].user
    minutes = services.generate_minutes(held, acting_user=chair)
    client.force_login(cell_people["members"][0].user)
    url = reverse("meetings:minutes", args=[held.pk])
    assert client.get(url).status_code == 404
    services.approve_minutes(minutes, acting_user=chair)
    assert client.get(url).status_code == 200

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


def test_conclusion_stays_a_record_without_operations(held):
    conclusion = held.conclusions.get()
    assert not services.operations_installed()
    assert conclusion.task_id is None and conclusion.status == "recorded"
    assert (
        conclusion.lead
        and conclusion.authority
        and conclusion.product
        and conclusion.deadline
    )
    assert conclusion.coordinators.count() == 1


def test_conclusion_becomes_a_task_when_operations_is_installed(
    held, monkeypatch, cell_people
):
    """With the operations app present, `create_task` gets the six clears."""
    import sys
    import types

    calls = []
    fake = types.ModuleType("hoso.operations.services")

    def create_task(**kwargs):
        calls.append(kwargs)
        return types.SimpleNamespace(pk=77)

    fake.create_task = create_task
    monkeypatch.setitem(
        sys.modules, "hoso.operations", types.ModuleType("hoso.operations")
    )
    monkeypatch.setitem(sys.modules, "hoso.operations.services", fake)
    monkeypatch.setattr(services, "operations_installed", lambda: True)
    conclusion = held.conclusions.get()
    assert (
        services.conclusion_to_task(
            conclusion, acting_user=cell_people["secretary"].user
        )
        == 77
    )
    (call,) = calls
    assert call["source_kind"] == "meeting" and call["source_id"] == held.pk
    assert call["lead"] == conclusion.lead and call["authority"] == conclusion.authority
    assert (
        call["product"] == conclusion.product
        and call["deadline"] == conclusion.deadline
    )
    assert call["coordinators"] == [cell_people["members"][1]]
    assert call["organization"] == held.organization
    conclusion.refresh_from_db()
    assert conclusion.task_id == 77 and conclusion.status == "task"


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

"""Tasks: the six clears, the workflow, subtasks, extensions, reminders,
overdue lists and the evaluation input."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.notifications.models import Notification
from hoso.operations import services
from hoso.operations.choices import TaskStatus
from hoso.operations.models import Task
from hoso.operations.tasks import send_task_reminders_now

pytestmark = pytest.mark.django_db

CLEARS = {
    "lead": "Clear person",
    "description": "Clear work",
    "deadline": "Clear time",
    "coordinators": "Clear responsibility",
    "product": "Clear product",
    "authority": "Clear authority",
}


@pytest.mark.parametrize("field", list(CLEARS))
def test_each_clear_is_required(make_task, field):
    """GIVEN a task missing one of the six clears
    WHEN it is assigned
    THEN a translated error names that field and nothing is stored."""
    empty = {"lead": None, "deadline": None, "authority": None, "coordinators": []}
    with pytest.raises(ValidationError) as excinfo:
        make_task(**{field: empty.get(field, "  ")})
    errors = excinfo.value.message_dict
    assert list(errors) == [field]
    assert errors[field][0].startswith(CLEARS[field])
    assert not Task.objects.exists()


def test_all_missing_clears_are_reported_together(tree, people):
    with pytest.raises(ValidationError) as excinfo:
        services.create_task(
            acting_user=people["leader"].user,
            title="",
            description="",
            lead=None,
            deadline=None,
            coordinators=[],
            product="",
            authority=None,
            organization=tree["a"],
        )
    assert set(CLEARS) | {"title"} <= set(excinfo.value.message_dict)


def test_past_deadline_and_self_acceptance_are_refused(make_task, people):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        make_task(deadline=yesterday, authority=people["commune"])
    errors = excinfo.value.message_dict
    assert "already past" in errors["deadline"][0]
    assert "own result" in errors["authority"][0]


def test_translated_error(make_task):
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as excinfo:
        make_task(product="")
    assert excinfo.value.message_dict["product"]


def test_assign_notifies_and_audits(make_task, people):
    """GIVEN a province secretary
    WHEN they assign a task to a commune
    THEN the lead and coordinators are notified (with e-mail wanted when
    they have an address) and the assignment is audited."""
    task = make_task()
    assert task.status == TaskStatus.ASSIGNED
    assert task.org_path == task.organization.path
    notified = set(
        Notification.objects.filter(kind="task.assigned").values_list(
            "recipient_id", flat=True
        )
    )
    assert notified == {people["commune"].user_id, people["specialist"].user_id}
    assert AuditEntry.objects.filter(
        action="operations.task_assigned", object_id=str(task.pk)
    ).exists()


def test_assigning_outside_scope_is_refused(make_task, people, tree):
    with pytest.raises(PermissionDenied):
        make_task(acting_user=people["other"].user, organization=tree["a"])


def test_meeting_conclusion_source(make_task):
    task = make_task(source_kind="meeting", source_id=42, source_label="Kết luận 3")
    assert (task.source_kind, task.source_id, task.source_label) == (
        "meeting",
        42,
        "Kết luận 3",
    )


def test_full_workflow_with_subtask(make_task, people, tree, settings, tmp_path):
    """GIVEN a task assigned to a commune
    WHEN its lead splits it for a cell, the cell reports progress with a
    file, the commune submits and the province accepts
    THEN every step is on the timeline and the task counts as on time."""
    settings.FILES_DIR = tmp_path / "files"
    task = make_task()
    sub = services.create_task(
        acting_user=people["commune"].user,
        title="Số hóa hồ sơ chi bộ 1",
        description="Nhập hồ sơ của chi bộ.",
        lead=people["cell"],
        deadline=task.deadline - timedelta(days=2),
        coordinators=[people["specialist"]],
        product="Danh sách hồ sơ đã nhập",
        authority=people["commune"],
        organization=tree["cell_a"],
        parent=task,
    )
    assert sub.parent == task
    pdf = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n")
    event = services.report_progress(
        sub,
        acting_user=people["cell"].user,
        text="Đã nhập 50%",
        progress=50,
        files=[("bien-ban.pdf", pdf)],
    )
    assert event.evidence.get().stored_file.sha256
    sub.refresh_from_db()
    assert (sub.status, sub.progress) == (TaskStatus.IN_PROGRESS, 50)
    services.submit_result(sub, acting_user=people["cell"].user, text="Xong")
    services.accept_task(sub, acting_user=people["commune"].user)
    services.submit_result(task, acting_user=people["commune"].user, text="Xong")
    with pytest.raises(PermissionDenied):
        services.accept_task(task, acting_user=people["commune"].user)
    services.accept_task(task, acting_user=people["leader"].user)
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED and task.finished_on_time
    kinds = list(task.events.values_list("kind", flat=True))
    assert kinds == ["assigned", "subtask", "submitted", "accepted"]
    today = timezone.localdate()
    results = services.task_results(
        person=people["commune"], start=today, end=today + timedelta(days=30)
    )
    assert results["on_time"] == 1 and results["late"] == 0


def test_subtask_rules(make_task, people, tree):
    task = make_task()
    with pytest.raises(ValidationError) as excinfo:
        services.create_task(
            acting_user=people["commune"].user,
            title="x",
            description="x",
            lead=people["cell"],
            deadline=task.deadline + timedelta(days=1),
            coordinators=[people["specialist"]],
            product="x",
            authority=people["commune"],
            organization=tree["cell_b"],
            parent=task,
        )
    assert set(excinfo.value.message_dict) == {"deadline", "organization"}


def test_return_then_resubmit_counts_returned(make_task, people):
    task = make_task()
    services.submit_result(task, acting_user=people["commune"].user, text="v1")
    with pytest.raises(ValidationError):
        services.return_task(task, acting_user=people["leader"].user, reason="")
    services.return_task(
        task, acting_user=people["leader"].user, reason="Thiếu số liệu"
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.RETURNED and task.returned_count == 1
    services.submit_result(task, acting_user=people["commune"].user, text="v2")
    services.accept_task(task, acting_user=people["leader"].user)
    today = timezone.localdate()
    results = services.task_results(
        organization=task.organization, start=today, end=today + timedelta(days=30)
    )
    assert results["returned"] == 1 and results["on_time"] == 1


def test_extension_approved_by_authority(make_task, people):
    task = make_task()
    later = task.deadline + timedelta(days=7)
    with pytest.raises(ValidationError):
        services.request_extension(
            task,
            acting_user=people["commune"].user,
            new_deadline=task.deadline,
            reason="x",
        )
    extension = services.request_extension(
        task, acting_user=people["commune"].user, new_deadline=later, reason="Bão"
    )
    with pytest.raises(PermissionDenied):
        services.decide_extension(
            extension, acting_user=people["commune"].user, approve=True
        )
    services.decide_extension(
        extension, acting_user=people["leader"].user, approve=True
    )
    task.refresh_from_db()
    assert task.deadline == later and task.original_deadline == later - timedelta(7)


def test_overdue_lists_and_late_results(make_task, people, tree):
    task = make_task()
    Task.objects.filter(pk=task.pk).update(
        deadline=timezone.localdate() - timedelta(days=3)
    )
    user = people["leader"].user
    by_person = services.overdue_by_person(user)
    assert by_person == [
        {
            "lead_id": people["commune"].pk,
            "lead__full_name": people["commune"].full_name,
            "count": 1,
        }
    ]
    assert services.overdue_by_organization(user)[0]["organization_id"] == tree["a"].pk
    assert services.overdue_by_person(people["other"].user) == []
    today = timezone.localdate()
    results = services.task_results(
        person=people["commune"], start=today - timedelta(days=30), end=today
    )
    assert results["late"] == 1


def test_reminders_are_sent_once(make_task, people):
    """GIVEN a task due in two days and one overdue
    WHEN the reminder job runs twice
    THEN each person is reminded once per task and deadline."""
    soon = make_task(deadline=timezone.localdate() + timedelta(days=2))
    late = make_task(title="Báo cáo quý")
    Task.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    first = send_task_reminders_now()
    second = send_task_reminders_now()
    assert first == 4  # lead + coordinator before; lead + authority after
    assert second == 0
    assert Notification.objects.filter(kind="task.due_soon").count() == 2
    overdue = Notification.objects.filter(kind="task.overdue")
    assert {n.recipient_id for n in overdue} == {
        people["commune"].user_id,
        people["leader"].user_id,
    }
    assert all(n.email_wanted == bool(n.recipient.email) for n in overdue)
    assert soon.pk != late.pk


def test_reminder_job_is_a_real_job(make_task, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )
    from hoso.operations.tasks import send_task_reminders

    make_task(deadline=timezone.localdate() + timedelta(days=1))
    send_task_reminders.enqueue()
    send_task_reminders.enqueue()
    call_command("db_worker", batch=True, verbosity=0)
    assert Notification.objects.filter(kind="task.due_soon").count() == 2


def test_task_results_by_lead_matches_each_persons_results(make_task, people):
    """The rating round reads many persons' results in one query: the same
    numbers as task_results per person."""
    on_time = make_task()
    services.submit_result(on_time, acting_user=people["commune"].user, text="Xong")
    services.accept_task(on_time, acting_user=people["leader"].user)
    late = make_task(title="Báo cáo quý")
    Task.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - timedelta(days=3)
    )
    today = timezone.localdate()
    start, end = today - timedelta(days=30), today + timedelta(days=30)
    ids = [people["commune"].pk, people["cell"].pk, people["other"].pk]
    batch = services.task_results_by_lead(ids, start=start, end=end)
    assert batch[people["commune"].pk] == services.task_results(
        person=people["commune"], start=start, end=end
    )
    assert batch[people["commune"].pk]["on_time"] == 1
    assert batch[people["commune"].pk]["late"] == 1
    assert people["other"].pk not in batch

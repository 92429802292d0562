"""Task pages and API: scope (three ways), the form's errors, actions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests
from hoso.operations.models import Task

pytestmark = pytest.mark.django_db


class TestTaskScope(ScopedUITests, ScopedAPITests):
    model = Task
    list_url_name = "operations:task-list"
    detail_url_name = "operations:task"
    api_list_url = "/api/v1/tasks"

    def create_object(self, organization):
        from hoso.core.testing.factories import PersonFactory, UserFactory

        lead, authority = PersonFactory(), PersonFactory()
        task = Task.objects.create(
            organization=organization,
            org_path=organization.path,
            title="Nhiệm vụ",
            description="Làm",
            lead=lead,
            deadline=timezone.localdate(),
            original_deadline=timezone.localdate(),
            product="Sản phẩm",
            authority=authority,
            created_by=UserFactory(),
        )
        task.coordinators.set([PersonFactory()])
        return task


def test_form_shows_six_clear_errors(client, people, tree):
    client.force_login(people["leader"].user)
    response = client.post(
        reverse("operations:task-add"), {"organization": tree["a"].pk}
    )
    assert response.status_code == 200
    text = response.content.decode()
    for message in ("Clear person", "Clear work", "Clear time", "Clear product"):
        assert message in text
    assert not Task.objects.exists()


def test_create_and_act_through_pages(client, people, tree):
    client.force_login(people["leader"].user)
    deadline = timezone.localdate() + timedelta(days=5)
    response = client.post(
        reverse("operations:task-add"),
        {
            "title": "Triển khai nền tảng số",
            "organization": tree["a"].pk,
            "lead": people["commune"].pk,
            "description": "Triển khai",
            "deadline": deadline.isoformat(),
            "coordinators": [people["specialist"].pk],
            "product": "Báo cáo",
            "authority": people["leader"].pk,
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response.url == task.get_absolute_url()
    client.force_login(people["commune"].user)
    page = client.get(task.get_absolute_url()).content.decode()
    assert 'data-test="progress-form"' in page and 'data-test="accept"' not in page
    client.post(
        reverse("operations:task-action", args=[task.pk, "progress"]),
        {"text": "Đã làm", "progress": "40"},
    )
    client.post(
        reverse("operations:task-action", args=[task.pk, "submit"]), {"text": "Xong"}
    )
    client.force_login(people["leader"].user)
    client.post(reverse("operations:task-action", args=[task.pk, "accept"]))
    task.refresh_from_db()
    assert task.status == "accepted"
    assert client.get(reverse("operations:my-tasks")).status_code == 200
    assert client.get(reverse("operations:overdue")).status_code == 200
    assert client.get(reverse("operations:task-results")).status_code == 200


def test_api_create_errors_and_actions(client, people, tree):
    client.force_login(people["leader"].user)
    response = client.post(
        "/api/v1/tasks", {"organization": tree["a"].pk}, content_type="application/json"
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert {"lead", "description", "deadline", "coordinators", "product"} <= fields
    response = client.post(
        "/api/v1/tasks",
        {
            "organization": tree["a"].pk,
            "title": "API",
            "description": "Làm",
            "lead": people["commune"].pk,
            "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "coordinators": [people["specialist"].pk],
            "product": "SP",
            "authority": people["leader"].pk,
            "source_kind": "meeting",
            "source_id": 9,
            "source_label": "Kết luận phiên họp",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    task_id = response.json()["id"]
    client.force_login(people["commune"].user)
    response = client.post(
        f"/api/v1/tasks/{task_id}/progress", {"text": "nửa", "progress": 50}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    today = timezone.localdate()
    response = client.get(
        "/api/v1/tasks/results",
        {"start": today.isoformat(), "end": (today + timedelta(days=9)).isoformat()},
    )
    assert response.json()["open"] == 1

"""Notifications: delivery, de-duplication, privacy, e-mail, pages and API."""

import pytest
from django.core import mail
from django.urls import reverse

from hoso.notifications import services, tasks
from hoso.notifications.models import Notification


@pytest.fixture
def users(tree, make_user):
    alice = make_user("clerk", tree["a"])
    alice.email = "alice@example.org"
    alice.save()
    bob = make_user("clerk", tree["b"])
    return {"alice": alice, "bob": bob}


def test_notify_writes_one_row_per_distinct_recipient(users):
    rows = services.notify(
        [users["alice"], users["bob"], users["alice"]],
        kind="task",
        title="A task for you",
        url="/tasks/1/",
    )
    assert len(rows) == 2
    assert Notification.objects.filter(kind="task").count() == 2


def test_dedupe_key_makes_reminders_idempotent(users):
    for _ in range(3):
        services.notify(
            [users["alice"]], kind="reminder", title="Due", dedupe_key="t1:d-1"
        )
    assert Notification.objects.filter(recipient=users["alice"]).count() == 1
    # Another key, or another recipient with the same key, is a new row.
    services.notify([users["alice"]], kind="reminder", title="Due", dedupe_key="t1:d0")
    services.notify([users["bob"]], kind="reminder", title="Due", dedupe_key="t1:d-1")
    assert Notification.objects.count() == 3


def test_inactive_users_are_skipped(users):
    users["bob"].is_active = False
    users["bob"].save()
    assert services.notify([users["bob"]], kind="x", title="y") == []


def test_nobody_sees_another_users_notifications(users):
    services.notify([users["alice"]], kind="x", title="For Alice")
    assert Notification.objects.restrict(users["bob"]).count() == 0
    assert Notification.objects.restrict(users["alice"]).count() == 1


def test_mark_read_ignores_other_users_ids(users):
    (mine,) = services.notify([users["alice"]], kind="x", title="mine")
    (theirs,) = services.notify([users["bob"]], kind="x", title="theirs")
    assert services.mark_read(users["alice"], [mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert services.unread_count(users["alice"]) == 0
    assert services.unread_count(users["bob"]) == 1


def test_email_sent_once_and_only_when_wanted(
    users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(
            [users["alice"], users["bob"]],
            kind="reminder",
            title="Deadline tomorrow",
            body="Task 7 is due tomorrow.",
            url="/tasks/7/",
            email=True,
        )
    # Bob has no address: only Alice's row wants an e-mail.
    assert tasks.send_emails.call() == 1
    assert tasks.send_emails.call() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == "Deadline tomorrow"
    assert message.body.endswith("/tasks/7/")


def test_page_lists_only_own_and_marks_read(client, users):
    services.notify([users["alice"]], kind="x", title="For Alice", url="/")
    services.notify([users["bob"]], kind="x", title="For Bob")
    client.force_login(users["alice"])
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert "For Alice" in page.text
    assert "For Bob" not in page.text
    assert 'data-test="unread-count">1<' in page.text
    mine = Notification.objects.get(recipient=users["alice"])
    theirs = Notification.objects.get(recipient=users["bob"])
    assert (
        client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    )
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_open_refuses_external_links(client, users):
    (row,) = services.notify(
        [users["alice"]], kind="x", title="t", url="https://evil.example/"
    )
    client.force_login(users["alice"])
    response = client.post(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_empty_state(client, users):
    client.force_login(users["alice"])
    assert "No notifications yet." in client.get(reverse("notifications:list")).text


def test_api_lists_and_marks_read(client, users):
    services.notify([users["alice"]], kind="x", title="one")
    services.notify([users["alice"]], kind="x", title="two")
    (other,) = services.notify([users["bob"]], kind="x", title="bob's")
    client.force_login(users["alice"])
    listed = client.get("/api/v1/notifications/?unread=true").json()
    assert [item["title"] for item in listed["items"]] == ["two", "one"]
    assert client.post(f"/api/v1/notifications/{other.pk}/read").status_code == 404
    first = listed["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read").json() == {
        "changed": 1,
        "unread": 1,
    }
    assert client.post("/api/v1/notifications/read-all").json()["changed"] == 1
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 0

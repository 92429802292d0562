"""The member handbook: the library reaches members below the publisher,
bookmarks and search, study sessions with a quiz, feedback both ways,
meetings with their documents, dues and profile without the members app,
and the PWA files at the site root."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hoso.core.testing.factories import UserFactory
from hoso.documents.models import Document, DocumentType
from hoso.handbook import services
from hoso.handbook.models import Feedback
from hoso.notifications.models import Notification


def _document(organization, secrecy=0, excerpt="Nghị quyết về chuyển đổi số"):
    return Document.objects.create(
        created_by=UserFactory(),
        organization=organization,
        org_path=organization.path,
        direction="outgoing",
        status="issued",
        doc_type=DocumentType.objects.get(system="party", code="NQ"),
        symbol="57-NQ/TW",
        excerpt=excerpt,
        body="Toàn văn nghị quyết.",
        register_year=2024,
        secrecy=secrecy,
    )


@pytest.fixture
def people(tree, make_user):
    return {
        "committee": make_user("secretary", tree["a"]),
        "member_a": make_user("member", tree["cell_a"]),
        "member_b": make_user("member", tree["cell_b"]),
    }


@pytest.fixture
def entry(tree, people):
    return services.publish_to_library(
        _document(tree["a"]),
        organization=tree["a"],
        category="resolution",
        acting_user=people["committee"],
    )


def test_library_reaches_members_below_the_publisher(entry, people):
    """GIVEN a resolution published by commune A
    WHEN members of cells under A and under B open the library
    THEN only the member under A sees it."""
    assert services.library_for(people["member_a"]) == [entry]
    assert services.library_for(people["member_b"]) == []


def test_search_is_accent_insensitive(entry, people):
    assert services.library_for(people["member_a"], query="chuyen doi so") == [entry]
    assert services.library_for(people["member_a"], query="57-NQ") == [entry]
    assert services.library_for(people["member_a"], query="khong co") == []


def test_classified_documents_stay_out(tree, people):
    with pytest.raises(ValidationError):
        services.publish_to_library(
            _document(tree["a"], secrecy=1),
            organization=tree["a"],
            category="resolution",
            acting_user=people["committee"],
        )


def test_members_cannot_publish(tree, people):
    with pytest.raises(PermissionDenied):
        services.publish_to_library(
            _document(tree["cell_a"]),
            organization=tree["cell_a"],
            category="resolution",
            acting_user=people["member_a"],
        )


def test_bookmarks(entry, people):
    member = people["member_a"]
    assert services.toggle_bookmark(entry, acting_user=member) is True
    assert services.library_for(member, bookmarked=True) == [entry]
    assert services.toggle_bookmark(entry, acting_user=member) is False
    assert services.library_for(member, bookmarked=True) == []


def test_study_session_with_quiz(
    entry, tree, people, django_capture_on_commit_callbacks
):
    """GIVEN a study session with a two-question quiz
    WHEN a member answers and confirms
    THEN the score is kept; a second confirmation and partial answers are
    refused."""
    questions = services.parse_questions(
        "Nghị quyết số mấy? | 52 | *57 | 66\nBan hành năm nào? | *2024 | 2025"
    )
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_study_session(
            entry,
            organization=tree["a"],
            title="Học tập Nghị quyết 57",
            questions=questions,
            acting_user=people["committee"],
        )
    member = people["member_a"]
    assert Notification.objects.filter(recipient=member, kind="study_session").exists()
    with pytest.raises(ValidationError):
        services.acknowledge_study(session, acting_user=member, answers=[1])
    ack = services.acknowledge_study(session, acting_user=member, answers=[1, 1])
    assert ack.score == 1
    with pytest.raises(ValidationError):
        services.acknowledge_study(session, acting_user=member, answers=[1, 0])
    with pytest.raises(type(session).DoesNotExist):
        services.acknowledge_study(
            session, acting_user=people["member_b"], answers=[1, 0]
        )


def test_quiz_lines_are_checked():
    with pytest.raises(ValidationError):
        services.parse_questions("Câu hỏi | a | b")  # no right answer marked


def test_feedback_both_ways(tree, people, django_capture_on_commit_callbacks):
    member, committee = people["member_a"], people["committee"]
    with django_capture_on_commit_callbacks(execute=True):
        feedback = services.submit_feedback(
            organization=tree["a"],
            subject="Đề xuất",
            body="Nội dung",
            acting_user=member,
        )
    assert Notification.objects.filter(recipient=committee, kind="feedback").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_feedback(feedback, body="Cảm ơn đồng chí", acting_user=committee)
    feedback.refresh_from_db()
    assert feedback.status == "answered"
    assert Notification.objects.filter(recipient=member, kind="feedback_reply").exists()
    services.reply_feedback(feedback, body="Xin bổ sung", acting_user=member)
    # Another member neither sees nor answers the thread.
    assert (
        not Feedback.objects.restrict(people["member_b"], "view")
        .filter(pk=feedback.pk)
        .exists()
    )
    with pytest.raises(Feedback.DoesNotExist):
        services.reply_feedback(feedback, body="x", acting_user=people["member_b"])
    with pytest.raises(ValidationError):
        services.submit_feedback(
            organization=tree["b"], subject="x", body="y", acting_user=member
        )


def test_pages_on_a_phone(client, entry, people, tree):
    from hoso.meetings import services as meetings

    member = people["member_a"]
    starts = timezone.now() + timedelta(days=2)
    meeting = meetings.schedule_meeting(
        organization=tree["cell_a"],
        kind="cell",
        title="Sinh hoạt chi bộ",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        acting_user=people["committee"],
    )
    client.force_login(member)
    for name, args in [
        ("home", []),
        ("profile", []),
        ("dues", []),
        ("meetings", []),
        ("meeting", [meeting.pk]),
        ("library", []),
        ("entry", [entry.pk]),
        ("studies", []),
        ("feedback", []),
        ("notifications", []),
        ("offline", []),
    ]:
        response = client.get(reverse(f"handbook:{name}", args=args))
        assert response.status_code == 200, name
    assert (
        "Sinh hoạt chi bộ" in client.get(reverse("handbook:meetings")).content.decode()
    )
    assert b"dues-unavailable" in client.get(reverse("handbook:dues")).content
    assert b"member-card" in client.get(reverse("handbook:profile")).content
    client.force_login(people["member_b"])
    assert client.get(reverse("handbook:entry", args=[entry.pk])).status_code == 404
    assert client.get(reverse("handbook:meeting", args=[meeting.pk])).status_code == 404


def test_pwa_files_at_the_root(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/handbook/"
    worker = client.get("/sw.js")
    assert worker["Content-Type"] == "application/javascript"
    assert worker["Service-Worker-Allowed"] == "/"
    assert b"caches.match" in worker.content


def test_handbook_api(client, entry, people, tree):
    member = people["member_a"]
    client.force_login(member)
    listed = client.get("/api/v1/handbook/library", {"q": "chuyen doi"}).json()
    assert [e["id"] for e in listed] == [entry.pk]
    assert listed[0]["organization"] == tree["a"].pk
    assert client.post(f"/api/v1/handbook/library/{entry.pk}/bookmark").json() == {
        "bookmarked": True
    }
    response = client.post(
        "/api/v1/handbook/feedback",
        {"organization": tree["a"].pk, "subject": "Hỏi", "body": "Nội dung"},
        content_type="application/json",
    )
    assert response.status_code == 201
    response = client.post(
        "/api/v1/handbook/feedback",
        {"organization": tree["b"].pk, "subject": "Hỏi", "body": "Nội dung"},
        content_type="application/json",
    )
    assert response.status_code == 404
    client.force_login(people["member_b"])
    assert client.get(f"/api/v1/handbook/library/{entry.pk}").status_code == 404

"""The meeting pages: scope (404 outside it), the check-in desk, the QR
page, the room screen and the forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests
from hoso.meetings import services
from hoso.meetings.choices import Attendance, MeetingKind
from hoso.meetings.models import Meeting


class TestMeetingScope(ScopedUITests, ScopedAPITests):
    model = Meeting
    api_list_url = "/api/v1/meetings"
    list_url_name = "meetings:list"
    detail_url_name = "meetings:detail"

    def create_object(self, organization):
        return Meeting.objects.create(
            organization=organization,
            kind=MeetingKind.COMMITTEE,
            title="Hội nghị Ban Chấp hành",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=2),
        )


def test_invited_outsider_sees_the_meeting(client, meeting, make_user, tree):
    """A person invited from elsewhere sees the meeting; others get 404."""
    guest = make_user("member", tree["cell_b"])
    url = reverse("meetings:detail", args=[meeting.pk])
    client.force_login(guest)
    assert client.get(url).status_code == 404
    services.invite(meeting, [guest.person], acting_user=meeting.chair.user)
    assert client.get(url).status_code == 200


def test_pages_render(client, running, cell_people):
    client.force_login(cell_people["secretary"].user)
    for name in ["detail", "checkin", "screen", "screen-live", "minutes", "my-qr"]:
        response = client.get(reverse(f"meetings:{name}", args=[running.pk]))
        assert response.status_code == 200, name
    client.force_login(cell_people["members"][0].user)
    response = client.get(reverse("meetings:my-qr", args=[running.pk]))
    assert b"<svg" in response.content
    assert client.get(reverse("meetings:checkin", args=[running.pk])).status_code == 404


def test_checkin_desk_accepts_a_scanned_code(client, meeting, cell_people):
    participant = meeting.participants.get(person=cell_people["members"][2])
    client.force_login(cell_people["secretary"].user)
    response = client.post(
        reverse("meetings:checkin", args=[meeting.pk]),
        {"token": services.checkin_token(participant)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"checked-in" in response.content
    participant.refresh_from_db()
    assert participant.attendance == Attendance.PRESENT
    response = client.post(
        reverse("meetings:checkin", args=[meeting.pk]),
        {"token": "garbage"},
        HTTP_HX_REQUEST="true",
    )
    assert "not a valid check-in code" in response.content.decode()


def test_schedule_form(client, tree, cell_people):
    client.force_login(cell_people["secretary"].user)
    starts = timezone.localtime() + timedelta(days=5)
    response = client.post(
        reverse("meetings:add"),
        {
            "organization": tree["cell_a"].pk,
            "kind": "cell",
            "title": "Họp chi bộ",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Họp chi bộ")
    assert meeting.participants.count() == 5
    # Another organization's cell is not a choice.
    response = client.post(
        reverse("meetings:add"),
        {
            "organization": tree["cell_b"].pk,
            "kind": "cell",
            "title": "X",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="X").exists()


@pytest.mark.parametrize("name", ["start", "close", "publish"])
def test_member_cannot_run_the_meeting(client, meeting, cell_people, name):
    client.force_login(cell_people["members"][0].user)
    response = client.post(reverse(f"meetings:{name}", args=[meeting.pk]))
    # Outside the scope of `meetings.change_meeting`: not found.
    assert response.status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == "scheduled"


def test_bridge_room_and_host_view(client, tree, make_user):
    """GIVEN a province conference with bridges at communes A and B
    WHEN A's operator opens their bridge page (heartbeat) and reports a
    headcount
    THEN the host's bridge table shows A connected and counted, B not;
    B's bridge page is not found for A's operator."""
    host = make_user("secretary", tree["province"])
    operator = make_user("secretary", tree["a"])
    starts = timezone.now()
    meeting = services.schedule_meeting(
        organization=tree["province"],
        kind="conference",
        title="Hội nghị trực tuyến",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        online=True,
        acting_user=host,
    )
    bridge_a, bridge_b = services.add_bridges(
        meeting, [tree["a"], tree["b"]], acting_user=host
    )
    client.force_login(operator)
    page = client.get(reverse("meetings:bridge", args=[meeting.pk, bridge_a.pk]))
    assert bridge_a.video_url().encode() in page.content
    assert client.post(
        reverse("meetings:bridge-heartbeat", args=[meeting.pk, bridge_a.pk])
    ).json()["connected"]
    client.post(
        reverse("meetings:bridge", args=[meeting.pk, bridge_a.pk]), {"headcount": "37"}
    )
    assert (
        client.get(
            reverse("meetings:bridge", args=[meeting.pk, bridge_b.pk])
        ).status_code
        == 404
    )
    client.force_login(host)
    table = client.get(reverse("meetings:bridges-status", args=[meeting.pk])).content
    row_a = table.split(f'data-test="bridge-{tree["a"].pk}"'.encode())[1].split(
        b"</tr>"
    )[0]
    row_b = table.split(f'data-test="bridge-{tree["b"].pk}"'.encode())[1].split(
        b"</tr>"
    )[0]
    assert b'data-test="connected"' in row_a and b">37<" in row_a
    assert b'data-test="disconnected"' in row_b and b"headcount" not in row_b


@pytest.mark.parametrize("secret", [False, True])
def test_screen_follows_the_vote(client, running, cell_people, secret):
    """The screen follows each ballot; a secret ballot shows turnout only
    until it closes, then its counts."""
    chair = cell_people["secretary"].user
    vote = services.create_vote(
        running, question="Thông qua?", kind="yes_no", secret=secret, acting_user=chair
    )
    services.open_vote(vote, acting_user=chair)
    client.force_login(chair)
    url = reverse("meetings:screen-live", args=[running.pk])
    page = client.get(url).text
    assert ('data-test="count-yes">0<' in page) is not secret
    services.cast_ballot(vote, acting_user=cell_people["members"][0].user, choice="yes")
    page = client.get(url).text
    assert "1 of" in page
    assert ('data-test="count-yes">1<' in page) is not secret
    assert ('data-test="secret-pending"' in page) is secret
    services.close_vote(vote, acting_user=chair)
    assert 'data-test="count-yes">1<' in client.get(url).text


def test_meeting_page_query_count(client, running, cell_people, tree):
    """The meeting page's queries do not grow with its documents."""
    from hoso.meetings.tests.test_meetings import _document

    chair = cell_people["secretary"].user
    item = running.agenda_items.get()
    client.force_login(chair)
    url = reverse("meetings:detail", args=[running.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(4):
        document = _document(tree["cell_a"])
        services.attach_document(item, document, acting_user=chair)
    services.publish_documents(running, acting_user=chair)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) <= len(before) + 2


def test_screen_stream_pushes_each_change(
    client, running, cell_people, monkeypatch, make_user, tree
):
    """The projector's event stream sends the live part at once, then again
    only when what it shows changes; a user outside the meeting gets 404."""
    from hoso.meetings import views

    monkeypatch.setattr(views, "SCREEN_POLL_SECONDS", 0.01)
    monkeypatch.setattr(views, "SCREEN_HEARTBEAT_SECONDS", 0.05)
    chair = cell_people["secretary"].user
    vote = services.create_vote(
        running, question="Thông qua?", kind="yes_no", secret=False, acting_user=chair
    )
    services.open_vote(vote, acting_user=chair)
    client.force_login(chair)
    url = reverse("meetings:screen-events", args=[running.pk])
    response = client.get(url)
    assert response["Content-Type"] == "text/event-stream"
    stream = iter(response.streaming_content)
    assert next(stream) == b"retry: 1000\n\n"
    first = next(stream).decode()
    assert first.startswith("data: ") and first.endswith("\n\n")
    assert 'data-test="count-yes">0<' in first
    # Nothing changed: the next chunk is a heartbeat, not the page again.
    assert next(stream) == b": alive\n\n"
    services.cast_ballot(vote, acting_user=cell_people["members"][0].user, choice="yes")
    assert 'data-test="count-yes">1<' in next(stream).decode()
    # The stream ends by itself after its time; the browser then reconnects.
    monkeypatch.setattr(views, "SCREEN_STREAM_SECONDS", 0)
    assert list(stream) == []

    client.force_login(make_user("member", tree["cell_b"]))
    assert client.get(url).status_code == 404

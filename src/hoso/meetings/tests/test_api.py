"""The meetings API end to end: schedule, check in, vote, results,
minutes, bridges; errors in the shared format."""

from datetime import timedelta

from django.utils import timezone

from hoso.meetings import services
from hoso.meetings.models import Meeting


def _json(client, method, url, data=None):
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_meeting_flow_over_the_api(client, tree, cell_people):
    chair = cell_people["secretary"].user
    client.force_login(chair)
    starts = timezone.now() + timedelta(days=2)
    response = _json(
        client,
        "post",
        "/api/v1/meetings",
        {
            "organization": tree["cell_a"].pk,
            "kind": "cell",
            "title": "Họp qua API",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    assert response.json()["organization"] == tree["cell_a"].pk
    assert client.post(f"/api/v1/meetings/{meeting_id}/start").status_code == 200
    participants = client.get(f"/api/v1/meetings/{meeting_id}/participants").json()
    assert len(participants) == 5

    member = cell_people["members"][0].user
    client.force_login(member)
    token = client.get(f"/api/v1/meetings/{meeting_id}/checkin-token").json()["token"]
    # A member cannot check people in: outside their change scope.
    assert (
        _json(
            client, "post", f"/api/v1/meetings/{meeting_id}/check-in", {"token": token}
        ).status_code
        == 404
    )
    client.force_login(chair)
    response = _json(
        client, "post", f"/api/v1/meetings/{meeting_id}/check-in", {"token": token}
    )
    assert response.status_code == 200 and response.json()["attendance"] == "present"
    response = _json(
        client, "post", f"/api/v1/meetings/{meeting_id}/check-in", {"token": "bad"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "token"

    response = _json(
        client,
        "post",
        f"/api/v1/meetings/{meeting_id}/votes",
        {
            "question": "Chọn phương án",
            "kind": "ranked",
            "secret": True,
            "options": ["A", "B", "C"],
        },
    )
    assert response.status_code == 201, response.content
    vote = response.json()
    assert client.post(f"/api/v1/votes/{vote['id']}/open").status_code == 200
    client.force_login(member)
    ranking = [vote["options"][1]["id"], vote["options"][0]["id"]]
    response = _json(
        client, "post", f"/api/v1/votes/{vote['id']}/ballots", {"choice": ranking}
    )
    assert response.status_code == 201
    response = _json(
        client, "post", f"/api/v1/votes/{vote['id']}/ballots", {"choice": ranking}
    )
    assert response.status_code == 422
    assert client.get(f"/api/v1/votes/{vote['id']}/ballot").json() == {"voted": True}
    # While a secret ballot is open only turnout shows, never the counts.
    results = client.get(f"/api/v1/votes/{vote['id']}/results").json()
    assert results["cast"] == 1 and results["hidden"] is True
    assert "runoff" not in results and "counts" not in results
    client.force_login(chair)
    assert client.post(f"/api/v1/votes/{vote['id']}/close").status_code == 200
    results = client.get(f"/api/v1/votes/{vote['id']}/results").json()
    assert results["cast"] == 1 and results["runoff"]["rounds"][0][str(ranking[0])] == 1

    client.force_login(chair)
    assert client.post(f"/api/v1/meetings/{meeting_id}/close").status_code == 200
    response = client.post(f"/api/v1/meetings/{meeting_id}/minutes/generate")
    assert response.status_code == 200 and "Chọn phương án" in response.json()["text"]
    assert (
        client.post(f"/api/v1/meetings/{meeting_id}/minutes/approve").json()["status"]
        == "approved"
    )


def test_bridges_over_the_api(client, tree, make_user):
    host = make_user("secretary", tree["province"])
    operator = make_user("secretary", tree["a"])
    starts = timezone.now()
    meeting = services.schedule_meeting(
        organization=tree["province"],
        kind="conference",
        title="Hội nghị trực tuyến",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        online=True,
        acting_user=host,
    )
    client.force_login(host)
    response = _json(
        client,
        "post",
        f"/api/v1/meetings/{meeting.pk}/bridges",
        {"organizations": [tree["a"].pk, tree["b"].pk]},
    )
    assert response.status_code == 201
    bridges = {b["organization"]: b for b in response.json()}
    assert bridges[tree["a"].pk]["video_url"].startswith("https://meet.jit.si/hoso-")
    assert not bridges[tree["a"].pk]["connected"]

    client.force_login(operator)
    bridge_a = bridges[tree["a"].pk]["id"]
    assert client.post(f"/api/v1/bridges/{bridge_a}/heartbeat").status_code == 200
    assert (
        _json(
            client, "post", f"/api/v1/bridges/{bridge_a}/headcount", {"headcount": 42}
        ).status_code
        == 200
    )
    # The operator of commune A cannot run commune B's bridge.
    assert (
        client.post(
            f"/api/v1/bridges/{bridges[tree['b'].pk]['id']}/heartbeat"
        ).status_code
        == 404
    )

    client.force_login(host)
    listed = {
        b["organization"]: b
        for b in client.get(f"/api/v1/meetings/{meeting.pk}/bridges").json()
    }
    assert listed[tree["a"].pk]["connected"] and listed[tree["a"].pk]["headcount"] == 42
    assert (
        not listed[tree["b"].pk]["connected"]
        and listed[tree["b"].pk]["headcount"] is None
    )


def test_list_query_count(client, tree, cell_people, django_assert_max_num_queries):
    chair = cell_people["secretary"].user
    starts = timezone.now()
    for n in range(5):
        Meeting.objects.create(
            organization=tree["cell_a"],
            kind="cell",
            title=f"M{n}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
    client.force_login(chair)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/meetings")
    assert response.json()["count"] == 5


def test_conclusion_to_task_endpoint_without_operations(
    client, tree, cell_people, monkeypatch
):
    from hoso.meetings.models import Conclusion

    monkeypatch.setattr(services, "operations_installed", lambda: False)
    chair = cell_people["secretary"].user
    starts = timezone.now()
    meeting = services.schedule_meeting(
        organization=tree["cell_a"],
        kind="cell",
        title="Họp",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        acting_user=chair,
    )
    conclusion = services.add_conclusion(
        meeting,
        acting_user=chair,
        title="Việc",
        lead=cell_people["members"][0],
        deadline=timezone.localdate() + timedelta(days=3),
        product="Báo cáo",
        authority=cell_people["secretary"],
        coordinators=[cell_people["members"][1]],
    )
    url = f"/api/v1/meetings/{meeting.pk}/conclusions/{conclusion.pk}/task"
    client.force_login(cell_people["members"][0].user)
    assert client.post(url).status_code == 404
    client.force_login(chair)
    body = client.post(url).json()
    assert body["status"] == "recorded" and body["task_id"] is None
    assert Conclusion.objects.get(pk=conclusion.pk).task_id is None

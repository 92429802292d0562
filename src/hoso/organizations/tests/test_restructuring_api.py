"""Restructuring API: merge, dissolve, preview; errors and scope."""

from hoso.core.models import AuditEntry
from hoso.documents.models import Document
from hoso.organizations.models import Organization

URL = "/api/v1/organizations"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_preview_then_merge(client, world):
    """GIVEN the province secretary
    WHEN they preview merging B into A, then merge
    THEN the preview's counts are the merge's, and B ends with A as successor."""
    client.force_login(world.province_secretary)
    preview = client.get(f"{URL}/{world.b.pk}/merge-preview", {"target": world.a.pk})
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["preview"] is True
    assert body["totals"] == {
        "children": 1,
        "members": 0,
        "transfers": 0,
        "documents": 2,
        "tasks": 1,
        "case_files": 1,
        "positions": 1,
    }
    assert [p["id"] for p in body["ended_positions"]] == [world.b_position.pk]
    assert not AuditEntry.objects.filter(action="organizations.merged").exists()

    response = _post(client, f"{URL}/{world.b.pk}/merge", {"target": world.a.pk})
    assert response.status_code == 200, response.content
    merged = response.json()
    assert merged["preview"] is False
    assert merged["totals"] == body["totals"]
    assert merged["handovers"][0]["source"] == world.b.pk
    b = Organization.objects.get(pk=world.b.pk)
    assert (b.successor_id, b.parent_id) == (world.a.pk, world.a.pk)
    assert Document.objects.get(pk=world.draft.pk).organization_id == world.a.pk


def test_dissolve(client, world):
    """GIVEN the province secretary
    WHEN they dissolve cell B-1 with commune B as successor, on a date
    THEN it ends on that date, audited as a dissolution."""
    client.force_login(world.province_secretary)
    response = _post(
        client,
        f"{URL}/{world.cell_b.pk}/dissolve",
        {"successor": world.b.pk, "effective_date": "2026-01-15"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["action"] == "dissolve"
    cell = Organization.objects.get(pk=world.cell_b.pk)
    assert str(cell.valid_to) == "2026-01-15"
    assert AuditEntry.objects.filter(action="organizations.dissolved").count() == 1


def test_refusal_names_the_field_and_writes_nothing(client, world):
    """GIVEN a merge of a cell into a commune (different levels)
    WHEN it is posted
    THEN 422 in the JSON error format, on `target`, and nothing changed."""
    client.force_login(world.province_secretary)
    before = AuditEntry.objects.count()
    response = _post(client, f"{URL}/{world.cell_b.pk}/merge", {"target": world.a.pk})
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert errors[0]["field"] == "target"
    assert "same level" in errors[0]["message"]
    assert AuditEntry.objects.count() == before
    assert Organization.objects.get(pk=world.cell_b.pk).successor_id is None


def test_missing_target_is_a_schema_error(client, world):
    client.force_login(world.province_secretary)
    response = _post(client, f"{URL}/{world.b.pk}/merge", {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "target"


def test_outside_scope_is_404_three_ways(client, world, make_user):
    """GIVEN commune A's secretary (B is outside their scope), a member of the
    province without change permission, and an anonymous caller
    WHEN they merge B into A, or A into B, or preview it
    THEN 404 (401 anonymous), and B does not end."""
    assert _post(client, f"{URL}/{world.b.pk}/merge", {"target": 1}).status_code == 401
    for user in (world.a_secretary, make_user("specialist", world.tree["province"])):
        client.force_login(user)
        for source, target in ((world.b, world.a), (world.a, world.b)):
            url = f"{URL}/{source.pk}"
            assert _post(client, f"{url}/merge", {"target": target.pk}).status_code == (
                404
            )
            assert (
                _post(client, f"{url}/dissolve", {"successor": target.pk}).status_code
                == 404
            )
            assert (
                client.get(f"{url}/merge-preview", {"target": target.pk}).status_code
                == 404
            )
    assert Organization.objects.get(pk=world.b.pk).successor_id is None
    assert Organization.objects.get(pk=world.a.pk).successor_id is None


def _split_body(world, **first):
    return {
        "parts": [
            {"name": "Chi bộ 2A", "code": "B-1A", **first},
            {"name": "Chi bộ 2B", "code": "B-1B", "abbreviation": "CB2"},
        ]
    }


def test_split(client, world):
    """GIVEN cell B-1 with two members
    WHEN the province secretary splits it, the first part naming one member
    THEN two cells exist, the cell ends with the first as successor, and the
    answer lists one handover per part."""
    from hoso.members.models import Member
    from hoso.members.tests.factories import MemberFactory

    members = [MemberFactory(organization=world.cell_b) for _ in range(2)]
    client.force_login(world.province_secretary)
    response = _post(
        client,
        f"{URL}/{world.cell_b.pk}/split",
        _split_body(world, members=[members[0].pk]),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    first = Organization.objects.get(code="B-1A")
    second = Organization.objects.get(code="B-1B")
    assert body["action"] == "split" and body["target"] == first.pk
    assert [h["target"] for h in body["handovers"]] == [first.pk, second.pk]
    assert body["totals"]["members"] == 2
    assert first.abbreviation == world.cell_b.abbreviation
    assert second.abbreviation == "CB2"
    assert Member.objects.get(pk=members[1].pk).organization_id == first.pk
    assert Organization.objects.get(pk=world.cell_b.pk).successor_id == first.pk


def test_split_refusals(client, world, make_user):
    """GIVEN a split with one part, one naming a child outside the source,
    and a caller outside the scope
    WHEN they are posted
    THEN 422 naming the field, 422 on children, 404; nothing created."""
    client.force_login(world.province_secretary)
    url = f"{URL}/{world.b.pk}/split"
    one = _post(client, url, {"parts": _split_body(world)["parts"][:1]})
    assert one.status_code == 422
    assert one.json()["detail"][0]["field"] == "parts"
    foreign = _post(client, url, _split_body(world, children=[world.tree["cell_a"].pk]))
    assert foreign.status_code == 422
    assert foreign.json()["detail"][0]["field"] == "children"
    client.force_login(world.a_secretary)
    assert _post(client, url, _split_body(world)).status_code == 404
    assert not Organization.objects.filter(code__in=["B-1A", "B-1B"]).exists()

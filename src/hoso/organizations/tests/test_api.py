"""Organizations API: create, update, filters, errors, query counts."""

import pytest

from hoso.core.testing.factories import OrganizationFactory
from hoso.organizations.choices import Kind, Level

URL = "/api/v1/organizations"


@pytest.fixture
def secretary_client(client, tree, make_user):
    client.force_login(make_user("secretary", tree["province"]))
    return client


def test_create_shows_parent_id(secretary_client, tree):
    response = secretary_client.post(
        URL,
        {
            "parent": tree["a"].pk,
            "level": "cell",
            "kind": "cell",
            "code": "A-2",
            "name": "Chi bộ thôn 2",
            "abbreviation": "CB",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["parent"] == tree["a"].pk
    assert body["path"].startswith(tree["a"].path)


def test_bad_input_names_field_and_writes_nothing(secretary_client, tree):
    response = secretary_client.post(
        URL,
        {
            "parent": tree["a"].pk,
            "level": "planet",
            "kind": "cell",
            "code": "",
            "name": "",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["detail"]}
    assert {"level", "code", "name"} <= fields
    assert not tree["a"].children.filter(name="").exists()


def test_model_rule_error_is_422_with_field(secretary_client, tree):
    response = secretary_client.post(
        URL,
        {
            "parent": tree["cell_a"].pk,
            "level": "cell",
            "kind": "cell",
            "code": "Z",
            "name": "Chi bộ con",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "parent"


def test_parent_outside_scope_is_404(client, tree, make_user):
    client.force_login(make_user("secretary", tree["a"]))
    response = client.post(
        URL,
        {
            "parent": tree["b"].pk,
            "level": "cell",
            "kind": "cell",
            "code": "Q",
            "name": "Q",
        },
        content_type="application/json",
    )
    assert response.status_code == 404


def test_patch_renames_and_moves(secretary_client, tree):
    response = secretary_client.patch(
        f"{URL}/{tree['cell_a'].pk}",
        {"name": "Chi bộ đổi tên", "parent": tree["b"].pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Chi bộ đổi tên"
    assert response.json()["parent"] == tree["b"].pk


def test_member_cannot_patch(client, tree, make_user):
    client.force_login(make_user("member", tree["a"]))
    response = client.patch(
        f"{URL}/{tree['a'].pk}", {"name": "X"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_filters(secretary_client, tree):
    def ids(**params):
        response = secretary_client.get(URL, params)
        return {item["id"] for item in response.json()["items"]}

    assert ids(parent=tree["province"].pk) == {tree["a"].pk, tree["b"].pk}
    assert ids(level="cell") == {tree["cell_a"].pk, tree["cell_b"].pk}
    assert ids(q="bình") == {tree["b"].pk}
    assert ids(q="A-1") == {tree["cell_a"].pk}
    # The province secretary does not see the central root.
    assert tree["central"].pk not in ids()


def test_list_is_paginated_with_count(secretary_client, tree):
    for n in range(60):
        OrganizationFactory(
            parent=tree["a"], level=Level.GRASSROOTS, kind=Kind.GRASSROOTS, code=f"N{n}"
        )
    body = secretary_client.get(URL).json()
    assert body["count"] == 65
    assert len(body["items"]) == 50


def _queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("url", [URL, "/organizations/list/"])
def test_list_query_count_does_not_grow(secretary_client, tree, url):
    """A query-count baseline: 30 more rows cost no extra query (no N+1)."""
    _queries_for(secretary_client, url)
    baseline = _queries_for(secretary_client, url)
    for n in range(30):
        OrganizationFactory(
            parent=tree["a"], level=Level.GRASSROOTS, kind=Kind.GRASSROOTS, code=f"M{n}"
        )
    assert _queries_for(secretary_client, url) == baseline
    # Session, user, grants, positions, the page itself and the navbar (its
    # menu and the unread-notification count).
    assert baseline <= 17

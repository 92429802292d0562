"""People and positions: UI and API permission matrix."""

from hoso.accounts.models import Person
from hoso.core.testing.factories import PersonFactory, PositionFactory, RoleFactory
from hoso.core.testing.scoped import ScopedAPITests, ScopedUITests


class TestPersonScope(ScopedUITests, ScopedAPITests):
    model = Person
    list_url_name = "accounts:person-list"
    detail_url_name = "accounts:person"
    api_list_url = "/api/v1/people"

    def create_object(self, organization):
        person = PersonFactory()
        PositionFactory(
            person=person, organization=organization, role=RoleFactory(code="member-x")
        )
        return person


def test_people_api_shows_username_and_positions(client, tree, make_user):
    secretary = make_user("secretary", tree["a"])
    clerk = make_user("clerk", tree["cell_a"])
    client.force_login(secretary)
    body = client.get(f"/api/v1/people/{clerk.person.pk}").json()
    assert body["username"] == clerk.username
    assert body["positions"] == [
        {
            "id": clerk.person.positions.get().pk,
            "person": clerk.person.pk,
            "organization": tree["cell_a"].pk,
            "role": "clerk",
            "title": "",
            "start_date": body["positions"][0]["start_date"],
            "end_date": None,
        }
    ]


def test_everyone_sees_themselves(client, tree, make_user):
    member = make_user("member", tree["cell_a"])
    client.force_login(member)
    assert client.get("/api/v1/people/me").json()["username"] == member.username


def test_people_list_query_count_does_not_grow(client, tree, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user("secretary", tree["province"]))

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/v1/people").status_code == 200
        return len(context)

    count()
    baseline = count()
    for _ in range(20):
        make_user("member", tree["cell_b"])
    assert count() == baseline

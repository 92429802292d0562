"""Creating people, assigning and ending positions: services, API and pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hoso.accounts import services
from hoso.accounts.models import Person, Position, Role
from hoso.core.choices import Secrecy
from hoso.core.models import AuditEntry


def role(code):
    return Role.objects.get(code=code)


def test_create_person_with_position_is_one_audited_step(tree, make_user):
    """GIVEN a commune clerk WHEN they create a member of a cell below
    THEN user, person and position exist together and one entry is audited."""
    clerk = make_user("clerk", tree["a"])
    person = services.create_person(
        acting_user=clerk,
        organization=tree["cell_a"],
        role=role("member"),
        username="nguyenvana",
        password="Cay-lua-2026-xanh",
        full_name="Nguyễn Văn A",
        citizen_id="079123456789",
    )
    assert person.user.check_password("Cay-lua-2026-xanh")
    assert person.positions.get().organization == tree["cell_a"]
    entry = AuditEntry.objects.get(action="accounts.person_created")
    assert entry.changes["username"] == [None, "nguyenvana"]
    assert entry.org_path == tree["cell_a"].path


def test_bad_person_input_writes_nothing(tree, make_user):
    clerk = make_user("clerk", tree["a"])
    users_before = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        services.create_person(
            acting_user=clerk,
            organization=tree["cell_a"],
            role=role("member"),
            username="x1",
            full_name="Sai Số",
            citizen_id="12AB",
        )
    assert "citizen_id" in error.value.message_dict
    assert Person.objects.count() == users_before
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="x1").exists()


def test_weak_initial_password_is_named(tree, make_user):
    clerk = make_user("clerk", tree["a"])
    with pytest.raises(ValidationError) as error:
        services.create_person(
            acting_user=clerk,
            organization=tree["a"],
            role=role("member"),
            username="weak",
            password="123",
            full_name="Yếu",
        )
    assert "password" in error.value.message_dict


def test_nobody_grants_a_clearance_above_their_own(tree, make_user):
    secretary = make_user("secretary", tree["a"])
    with pytest.raises(ValidationError) as error:
        services.create_person(
            acting_user=secretary,
            organization=tree["a"],
            role=role("specialist"),
            username="cleared",
            full_name="Có Mật",
            clearance=Secrecy.SECRET,
        )
    assert "clearance" in error.value.message_dict


def test_secretary_cannot_create_an_administrator(tree, make_user):
    secretary = make_user("secretary", tree["a"])
    with pytest.raises(ValidationError) as error:
        services.create_person(
            acting_user=secretary,
            organization=tree["cell_a"],
            role=role("administrator"),
            username="root2",
            full_name="Quản Trị",
        )
    assert "role" in error.value.message_dict


def test_create_outside_scope_refused(tree, make_user):
    clerk = make_user("clerk", tree["a"])
    with pytest.raises(PermissionDenied):
        services.create_person(
            acting_user=clerk,
            organization=tree["b"],
            role=role("member"),
            username="outside",
            full_name="Ngoài",
        )


def test_assign_and_end_position_changes_scope(tree, make_user):
    secretary = make_user("secretary", tree["province"])
    member = make_user("member", tree["cell_a"])
    from hoso.organizations.models import Organization

    assert not Organization.objects.restrict(member, "change").exists()
    position = services.assign_position(
        person=member.person,
        organization=tree["a"],
        role=role("deputy_secretary"),
        acting_user=secretary,
    )
    from hoso.core import permissions

    permissions.forget_grants(member)
    assert (
        Organization.objects.restrict(member, "change").filter(pk=tree["a"].pk).exists()
    )
    services.end_position(position, acting_user=secretary)
    permissions.forget_grants(member)
    position.refresh_from_db()
    # Ended today: still held today, gone from tomorrow.
    assert position.end_date is not None
    assert AuditEntry.objects.filter(action="accounts.position_ended").exists()


def test_people_api_create_and_patch(client, tree, make_user):
    client.force_login(make_user("clerk", tree["a"]))
    response = client.post(
        "/api/v1/people",
        {
            "username": "tranthib",
            "full_name": "Trần Thị B",
            "organization": tree["cell_a"].pk,
            "role": "member",
            "email": "b@example.vn",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "tranthib"
    assert body["positions"][0]["organization"] == tree["cell_a"].pk
    patched = client.patch(
        f"/api/v1/people/{body['id']}",
        {"phone": "0901234567"},
        content_type="application/json",
    )
    assert patched.status_code == 200
    assert patched.json()["phone"] == "0901234567"
    bad = client.patch(
        f"/api/v1/people/{body['id']}",
        {"email": "not-an-address"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "email"


def test_people_api_unknown_role_is_422(client, tree, make_user):
    client.force_login(make_user("clerk", tree["a"]))
    response = client.post(
        "/api/v1/people",
        {
            "username": "z",
            "full_name": "Z",
            "organization": tree["a"].pk,
            "role": "king",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "role"


def test_positions_api_assign_and_end(client, tree, make_user):
    member = make_user("member", tree["cell_a"])
    client.force_login(make_user("secretary", tree["a"]))
    response = client.post(
        "/api/v1/positions",
        {
            "person": member.person.pk,
            "organization": tree["cell_a"].pk,
            "role": "clerk",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    position_id = response.json()["id"]
    ended = client.post(
        f"/api/v1/positions/{position_id}/end", {}, content_type="application/json"
    )
    assert ended.status_code == 200
    assert ended.json()["end_date"] is not None


def test_person_pages(client, tree, make_user):
    client.force_login(make_user("clerk", tree["a"]))
    response = client.post(
        reverse("accounts:person-add"),
        {
            "organization": tree["cell_a"].pk,
            "role": role("member").pk,
            "full_name": "Lê Văn C",
            "username": "levanc",
            "clearance": 0,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(user__username="levanc")
    assert response.url == person.get_absolute_url()
    edit = client.post(
        reverse("accounts:person-edit", args=[person.pk]),
        {"full_name": "Lê Văn Cường", "clearance": 0},
    )
    assert edit.status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Lê Văn Cường"
    assert client.get(person.get_absolute_url()).status_code == 200


def test_position_end_page_outside_scope_is_404(client, tree, make_user):
    other = make_user("member", tree["cell_b"])
    client.force_login(make_user("secretary", tree["a"]))
    position = Position.objects.get(person=other.person)
    assert (
        client.post(reverse("accounts:position-end", args=[position.pk])).status_code
        == 404
    )

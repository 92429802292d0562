"""The API token lookup reads token, user, person and grants in one
statement written once per process: it must build what the ORM builds, and
read it afresh on every request."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from hoso.accounts import services, tokens
from hoso.accounts.models import ApiToken, Person, Position, Role
from hoso.core import permissions
from hoso.core.choices import Secrecy


def _fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


def test_lookup_builds_what_the_orm_builds(tree, make_user):
    """GIVEN a cleared user with a current, an ended and a future position
    THEN the token, user and person equal the ORM's, field for field, and
    the grants are the current ones, as `current_grants()` reads them."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    user = make_user("secretary", tree["a"], clearance=Secrecy.SECRET)
    roles = {role.code: role for role in Role.objects.all()}
    Position.objects.create(
        person=user.person,
        organization=tree["b"],
        role=roles["clerk"],
        start_date=today - 10 * day,
        end_date=today - day,
    )
    Position.objects.create(
        person=user.person,
        organization=tree["province"],
        role=roles["specialist"],
        start_date=today + day,
    )
    token, plaintext = services.create_token(
        user, name="t", scopes=["read"], expires_days=3
    )
    found = tokens.find_token(token.prefix)
    expected = ApiToken.objects.select_related("user", "user__person").get(pk=token.pk)
    assert _fields(found) == _fields(expected)
    assert _fields(found.user) == _fields(expected.user)
    assert _fields(found.user.person) == _fields(expected.user.person)
    assert found.scopes == ["read"] and found.is_active
    assert found.user.person.user is found.user
    grants = getattr(found.user, permissions._CACHE_ATTR)
    fresh = get_user_model().objects.get(pk=user.pk)
    assert grants == permissions.current_grants(fresh)
    assert [path for path, _patterns, _pk in grants] == [tree["a"].path]
    assert permissions.clearance_of(found.user) == Secrecy.SECRET


def test_lookup_of_a_user_without_person_or_position(tree):
    """A user without a person record has no clearance and no grants, as
    with select_related (which caches the missing person)."""
    user = get_user_model().objects.create_user("robot", password="x" * 12)
    token, _plaintext = services.create_token(user, name="t", scopes=["read"])
    found = tokens.find_token(token.prefix)
    assert found.user.pk == user.pk
    assert permissions.clearance_of(found.user) == 0
    assert permissions.current_grants(found.user) == []
    assert not Person.objects.filter(user=user).exists()
    assert tokens.find_token("nosuchprefix") is None


def test_lookup_reads_afresh_each_time(tree, make_user):
    """Nothing is cached across requests: a revoked token, a lowered
    clearance and an ended position show on the very next lookup."""
    user = make_user("secretary", tree["a"], clearance=Secrecy.SECRET)
    token, _plaintext = services.create_token(user, name="t", scopes=["read"])
    assert tokens.find_token(token.prefix).user.person.clearance == Secrecy.SECRET
    Person.objects.filter(user=user).update(clearance=Secrecy.NONE)
    Position.objects.filter(person__user=user).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.revoke_token(token, acting_user=user)
    found = tokens.find_token(token.prefix)
    assert found.user.person.clearance == Secrecy.NONE
    assert permissions.current_grants(found.user) == []
    assert not found.is_active


def test_a_token_request_takes_two_queries(
    client, tree, make_user, django_assert_num_queries
):
    """Token, user, person and grants in one query; then the organizations
    list's page and count."""
    user = make_user("secretary", tree["a"])
    _token, plaintext = services.create_token(user, name="t", scopes=["read"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    client.get("/api/v1/organizations", **headers)  # sets last_used
    with django_assert_num_queries(3):
        response = client.get("/api/v1/organizations", **headers)
    assert response.status_code == 200

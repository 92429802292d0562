"""current_grants() reads the positions with SQL written once per process:
it must select exactly what the ORM query it replaces selects."""

import datetime

from django.utils import timezone

from hoso.accounts.models import Position, Role
from hoso.core import permissions


def _orm_grants(user):
    return [
        (path, patterns or [], pk)
        for pk, path, patterns in Position.objects.current(timezone.localdate())
        .filter(person__user=user)
        .values_list("pk", "organization__path", "role__permissions")
    ]


def test_grants_match_the_orm_query(tree, make_user):
    """GIVEN positions that are current, ended yesterday, start tomorrow,
    end today and have no end
    THEN the grants are the current ones, as the ORM query selects them."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    user = make_user("clerk", tree["a"])
    person = user.person
    roles = {role.code: role for role in Role.objects.all()}
    Position.objects.create(
        person=person,
        organization=tree["b"],
        role=roles["secretary"],
        start_date=today - 10 * day,
        end_date=today - day,
    )
    Position.objects.create(
        person=person,
        organization=tree["province"],
        role=roles["specialist"],
        start_date=today + day,
    )
    Position.objects.create(
        person=person,
        organization=tree["cell_b"],
        role=roles["secretary"],
        start_date=today - day,
        end_date=today,
    )
    other = make_user("secretary", tree["b"])
    grants = permissions.current_grants(user)
    assert grants == _orm_grants(user)
    assert {path for path, _patterns, _pk in grants} == {
        tree["a"].path,
        tree["cell_b"].path,
    }
    assert all(isinstance(patterns, list) and patterns for _p, patterns, _k in grants)
    assert permissions.current_grants(other) == _orm_grants(other)


def test_grants_are_read_again_on_the_next_request(tree, make_user):
    """The cache lives on the user object (one request): a new user object
    sees an ended position at once."""
    from django.contrib.auth import get_user_model

    user = make_user("clerk", tree["a"])
    assert permissions.current_grants(user)
    Position.objects.filter(person__user=user).update(
        end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    fresh = get_user_model().objects.get(pk=user.pk)
    assert permissions.current_grants(fresh) == []

"""How a user's positions become a scope.

A permission is named `<app_label>.<action>_<model_name>` (Django's convention).
A role grants a list of permission patterns (`organizations.view_organization`,
`organizations.*`, `*.view_*`, `*`). A user's scope for a permission is the set
of organization subtrees (materialized paths) of their current positions whose
role grants it.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from fnmatch import fnmatchcase

from django.db import router
from django.utils import timezone

from hoso.core.statements import prepared_cursor

_CACHE_ATTR = "_hoso_grants"


def permission_name(model, action: str) -> str:
    """Return `<app_label>.<action>_<model_name>` for a model class."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def role_grants(patterns: list[str], permission: str) -> bool:
    """Whether any of a role's permission patterns matches `permission`."""
    return any(fnmatchcase(permission, pattern) for pattern in patterns)


@functools.cache
def _grants_sql() -> str:
    """The SQL of `Position.objects.current(on).filter(person__user=user)
    .values_list("pk", "organization__path", "role__permissions")`, written
    once per process.

    Every request needs the grants, and compiling that ORM query cost about
    1.1 ms of CPU per request, more than running it (bench/document_list.py).
    The parameters are the user id and the date twice; a test checks it
    against the ORM query.
    """
    from hoso.accounts.models import Person, Position, Role
    from hoso.organizations.models import Organization

    def col(model, field: str) -> str:
        return model._meta.get_field(field).column

    position, person = Position._meta.db_table, Person._meta.db_table
    organization, role = Organization._meta.db_table, Role._meta.db_table
    start, end = col(Position, "start_date"), col(Position, "end_date")
    path = col(Organization, "path")
    return (  # table and column names from the models; values are parameters
        f"SELECT p.{col(Position, 'id')}, o.{path}, r.{col(Role, 'permissions')} "  # noqa: S608
        f"FROM {position} p "
        f"JOIN {person} pe ON pe.{col(Person, 'id')} = p.{col(Position, 'person')} "
        f"JOIN {organization} o "
        f"ON o.{col(Organization, 'id')} = p.{col(Position, 'organization')} "
        f"JOIN {role} r ON r.{col(Role, 'id')} = p.{col(Position, 'role')} "
        f"WHERE pe.{col(Person, 'user')} = %s AND p.{start} <= %s "
        f"AND (p.{end} IS NULL OR p.{end} >= %s) "
        f"ORDER BY o.{path}, r.{col(Role, 'rank')}"
    )


def current_grants(user) -> list[tuple[str, list[str], int]]:
    """(organization path, role patterns, position id) for each current position.

    Read afresh for every request (never cached across requests, so an ended
    position or a changed role applies at once), and cached on the user
    object, which lives for one request.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from hoso.accounts.models import Position

    today: date = timezone.localdate()
    # One plan for everybody's grants: prepared once per connection.
    with prepared_cursor(router.db_for_read(Position)) as cursor:
        cursor.execute(_grants_sql(), [user.pk, today, today])
        rows = cursor.fetchall()
    return remember_grants(user, rows)


def remember_grants(user, rows) -> list[tuple[str, list[str], int]]:
    """Cache on `user` the grants read by another query of this request.

    `rows` are (position id, organization path, role permissions) of the
    user's current positions in `_grants_sql()`'s order, as the API token
    lookup reads them in the same statement as the user
    (`accounts.tokens.find_token`).
    """
    grants = [
        (
            path,
            (json.loads(patterns) if isinstance(patterns, str) else patterns) or [],
            pk,
        )
        for pk, path, patterns in rows
    ]
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user) -> None:
    """Drop the cached grants (after the user's positions changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def collapse_paths(paths: list[str]) -> list[str]:
    """Drop every path that lies under another one in the list."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(parent) for parent in kept):
            kept.append(path)
    return sorted(kept)


def scope_paths(user, permission: str) -> list[str] | None:
    """The organization subtrees where `user` holds `permission`, or None."""
    paths = [
        path
        for path, patterns, _pk in current_grants(user)
        if role_grants(patterns, permission)
    ]
    return collapse_paths(paths) if paths else None


def has_permission(user, permission: str, organization=None) -> bool:
    """Whether `user` holds `permission` (at `organization`, when given)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    paths = scope_paths(user, permission)
    if paths is None:
        return False
    if organization is None:
        return True
    return any(organization.path.startswith(path) for path in paths)


def is_classified(model) -> bool:
    """Whether the model carries a `secrecy` field filtered by clearance."""
    return any(field.name == "secrecy" for field in model._meta.concrete_fields)


def clearance_of(user) -> int:
    """The user's clearance level (0 when they have no person record)."""
    person = getattr(user, "person", None)
    return person.clearance if person is not None else 0


def organizations_with(user, permission: str):
    """Organizations where `user` holds `permission` (form choice lists offer
    only those): the subtrees of the granting positions."""
    from hoso.organizations.models import Organization

    if user.is_superuser:
        return Organization.objects.all()
    query = Organization.objects.none()
    for root in scope_paths(user, permission) or []:
        query = query | Organization.objects.subtree(root)
    return query

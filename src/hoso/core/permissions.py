"""How a user's positions become a scope.

A permission is named `<app_label>.<action>_<model_name>` (Django's convention).
A role grants a list of permission patterns (`organizations.view_organization`,
`organizations.*`, `*.view_*`, `*`). A user's scope for a permission is the set
of organization subtrees (materialized paths) of their current positions whose
role grants it.
"""

from __future__ import annotations

from datetime import date
from fnmatch import fnmatchcase

from django.utils import timezone

_CACHE_ATTR = "_hoso_grants"


def permission_name(model, action: str) -> str:
    """Return `<app_label>.<action>_<model_name>` for a model class."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def role_grants(patterns: list[str], permission: str) -> bool:
    """Whether any of a role's permission patterns matches `permission`."""
    return any(fnmatchcase(permission, pattern) for pattern in patterns)


def current_grants(user) -> list[tuple[str, list[str], int]]:
    """(organization path, role patterns, position id) for each current position.

    Cached on the user object, which lives for one request.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from hoso.accounts.models import Position

    today: date = timezone.localdate()
    grants = [
        (path, patterns or [], pk)
        for pk, path, patterns in Position.objects.current(today)
        .filter(person__user=user)
        .values_list("pk", "organization__path", "role__permissions")
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

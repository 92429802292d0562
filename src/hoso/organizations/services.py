"""Services that change the organization tree (audited, transactional)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.organizations.models import Organization
from hoso.organizations.signals import subtree_moved

EDITABLE_FIELDS = [
    "parent",
    "level",
    "kind",
    "code",
    "name",
    "abbreviation",
    "valid_from",
    "valid_to",
    "successor",
    "document_style",
]


def _check_parent_scope(acting_user, parent: Organization | None, action: str) -> None:
    """Creating or moving under `parent` needs the permission at the parent;
    a new root needs a superuser."""
    if parent is None:
        if not acting_user.is_superuser:
            raise PermissionDenied
        return
    if not permissions.has_permission(
        acting_user, f"organizations.{action}_organization", parent
    ):
        raise PermissionDenied


def move_subtree(organization: Organization, parent: Organization) -> None:
    """Put `organization` and everything below it under `parent`.

    Rewrites the materialized paths and depths of the whole subtree with one
    UPDATE and sends `subtree_moved`, so the apps that copy the path
    (documents, tasks, search) follow in the same transaction. Sets `parent`,
    `path` and `depth` on the instance without saving its other fields: the
    caller has checked the permission and the tree rules, holds the
    transaction, and saves and audits the row.
    """
    old_path, old_depth = organization.path, organization.depth
    new_path = f"{parent.path}{organization.pk}/"
    depth_change = parent.depth + 1 - old_depth
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    organization.parent = parent
    organization.path = new_path
    organization.depth = old_depth + depth_change
    subtree_moved.send(sender=Organization, old_path=old_path, new_path=new_path)


@transaction.atomic
def create_organization(*, acting_user, **fields) -> Organization:
    """Create an organization under its parent.

    GIVEN a user with `organizations.add_organization` at the parent
    WHEN they create a child
    THEN it gets the path `<parent path><id>/` and the creation is audited.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    parent = fields.get("parent")
    _check_parent_scope(acting_user, parent, "add")
    organization = Organization(**fields)
    # A unique placeholder until the primary key is known.
    organization.path = f"/new-{id(organization)}/"
    organization.full_clean(exclude=["path"])
    organization.save()
    organization.path = f"{parent.path if parent else '/'}{organization.pk}/"
    organization.depth = parent.depth + 1 if parent else 0
    organization.save(update_fields=["path", "depth"])
    audit.record(
        "organizations.created",
        obj=organization,
        actor=acting_user,
        changes=audit.diff({}, audit.snapshot(organization, EDITABLE_FIELDS)),
    )
    return organization


@transaction.atomic
def update_organization(
    organization: Organization, *, acting_user, **fields
) -> Organization:
    """Change an organization; a new parent moves its whole subtree.

    GIVEN a user who may change the organization (and add under a new parent)
    WHEN they change fields or the parent
    THEN the row and every descendant path follow, in one audited transaction.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    organization = (
        Organization.objects.restrict(acting_user, "change")
        .select_for_update()
        .get(pk=organization.pk)
    )
    before = audit.snapshot(organization, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(organization, name, value)
    moved = "parent" in fields and organization.parent_id != before["parent"]
    if moved:
        parent = organization.parent
        if parent is None:
            raise ValidationError({"parent": _("An organization needs a parent.")})
        _check_parent_scope(acting_user, parent, "add")
    organization.full_clean(exclude=["path"])
    if moved:
        move_subtree(organization, organization.parent)
    organization.save()
    audit.record(
        "organizations.updated",
        obj=organization,
        actor=acting_user,
        changes=audit.diff(before, audit.snapshot(organization, EDITABLE_FIELDS)),
    )
    return organization

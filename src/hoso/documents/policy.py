"""Which workflow actions a user may take on a document (drives the buttons
and is the same check the services make)."""

from __future__ import annotations

from django.db.models import Q

from hoso.core import permissions
from hoso.documents.choices import Direction, Status
from hoso.documents.models import Document
from hoso.organizations.models import Organization

# action → (permission, statuses it starts from, directions)
ACTIONS = {
    "register": (
        "documents.register_document",
        {Status.RECEIVED},
        {Direction.INCOMING},
    ),
    "refuse": ("documents.register_document", {Status.RECEIVED}, {Direction.INCOMING}),
    "present": (
        "documents.register_document",
        {Status.REGISTERED},
        {Direction.INCOMING},
    ),
    "instruct": (
        "documents.instruct_document",
        {Status.REGISTERED, Status.PRESENTED},
        {Direction.INCOMING},
    ),
    "process": (
        "documents.process_document",
        {Status.INSTRUCTED},
        {Direction.INCOMING},
    ),
    "complete": (
        "documents.process_document",
        {Status.REGISTERED, Status.INSTRUCTED, Status.PROCESSING},
        {Direction.INCOMING},
    ),
    "return": (
        "documents.process_document",
        {Status.PRESENTED, Status.INSTRUCTED, Status.PROCESSING},
        {Direction.INCOMING},
    ),
    "edit": (
        "documents.change_document",
        {Status.DRAFT, Status.IN_REVIEW},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
    "request-opinions": (
        "documents.change_document",
        {Status.DRAFT, Status.IN_REVIEW},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
    "approve": (
        "documents.approve_document",
        {Status.DRAFT, Status.IN_REVIEW},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
    "send-back": (
        "documents.approve_document",
        {Status.IN_REVIEW, Status.APPROVED},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
    "sign": (
        "documents.sign_document",
        {Status.APPROVED},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
    "issue": (
        "documents.issue_document",
        {Status.APPROVED},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
    "recall": (
        "documents.issue_document",
        {Status.ISSUED},
        {Direction.OUTGOING, Direction.INTERNAL},
    ),
}


def available_actions(document: Document, user) -> list[str]:
    """The actions whose permission, starting status and register fit."""
    actions = []
    for name, (permission, statuses, directions) in ACTIONS.items():
        if (
            document.status in statuses
            and document.direction in directions
            and permissions.has_permission(user, permission, document.organization)
        ):
            actions.append(name)
    if "sign" in actions and document.is_signed:
        actions.remove("sign")
    if name_return_by_leader(document, user) and "return" not in actions:
        actions.append("return")
    if (
        document.status == Status.IN_REVIEW
        and document.opinions.filter(person__user=user, given_at__isnull=True).exists()
    ):
        actions.append("opinion")
    return actions


def name_return_by_leader(document: Document, user) -> bool:
    """A leader may return a document presented to them."""
    return document.status == Status.PRESENTED and permissions.has_permission(
        user, "documents.instruct_document", document.organization
    )


def dispatch_targets(organization: Organization):
    """Organizations a document of `organization` may be addressed to on this
    system: its own subtree, its superiors, and their direct children (a
    commune writes to the province and to sister communes)."""
    ancestors = organization.ancestor_ids()
    return (
        Organization.objects.filter(
            Q(path__startswith=organization.path)
            | Q(pk__in=ancestors)
            | Q(parent_id__in=ancestors)
        )
        .exclude(pk=organization.pk)
        .order_by("depth", "name")
    )

"""Template context shared by every page: navigation by role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core import permissions

# (label, url name, icon, permission needed or None for every signed-in user)
NAVIGATION = [
    (_("Home"), "core:home", "house", None),
    (_("Documents"), "documents:incoming", "journal-text", "documents.view_document"),
    (
        _("Organizations"),
        "organizations:tree",
        "diagram-3",
        "organizations.view_organization",
    ),
    (_("Tasks"), "operations:my-tasks", "list-check", "operations.view_task"),
    (
        _("Dashboard"),
        "operations:dashboard",
        "speedometer2",
        "operations.view_indicator",
    ),
    (
        _("Reports"),
        "operations:report-forms",
        "clipboard-data",
        "operations.view_reportform",
    ),
    (_("People"), "accounts:person-list", "people", "accounts.view_person"),
    (_("Meetings"), "meetings:list", "calendar-event", "meetings.view_meeting"),
    (_("Handbook"), "handbook:home", "book-half", None),
    (_("Members"), "members:list", "person-vcard", "members.view_member"),
    (
        _("Digitization"),
        "digitization:batch-list",
        "upc-scan",
        "digitization.view_scanbatch",
    ),
    (_("Archive"), "archive:duplicates", "archive", "archive.view_duplicateflag"),
    (_("Audit log"), "core:audit-list", "shield-check", "core.view_auditentry"),
]


def navigation(request) -> dict:
    """The menu entries this user may open, and their current position."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Templates rendered inside a page (django-tables2's render_table) run
    # the context processors again: compute once per request.
    cached = getattr(request, "_hoso_navigation", None)
    if cached is not None:
        return cached
    from hoso.accounts.models import Position
    from hoso.accounts.services import SESSION_POSITION_KEY, current_position

    items = [
        {
            "label": label,
            "url": reverse(name),
            "icon": icon,
            "active": request.path == reverse(name),
        }
        for label, name, icon, perm in NAVIGATION
        if perm is None or permissions.has_permission(user, perm)
    ]
    my_positions = list(
        Position.objects.current()
        .filter(person__user=user)
        .select_related("organization", "role")
        .order_by("role__rank", "organization__path")
    )
    if not hasattr(request, "_hoso_position"):
        # current_position() picks from this same list: spare its queries.
        chosen = request.session.get(SESSION_POSITION_KEY)
        request._hoso_position = next(
            (position for position in my_positions if position.pk == chosen),
            my_positions[0] if my_positions else None,
        )
    request._hoso_navigation = {
        "nav_items": items,
        "current_position": current_position(request),
        "my_positions": my_positions,
    }
    return request._hoso_navigation

"""The unread-notification count shown on the bell in the navbar."""

from hoso.notifications import services


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Templates rendered inside a page (django-tables2's render_table) run
    # the context processors again: count once per request.
    count = getattr(request, "_hoso_unread_notifications", None)
    if count is None:
        count = request._hoso_unread_notifications = services.unread_count(user)
    return {"unread_notifications": count}

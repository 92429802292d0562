"""The unread-notification count shown on the bell in the navbar."""

from hoso.notifications import services


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(user)}

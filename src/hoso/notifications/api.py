"""Notifications API: the signed-in user's own notifications."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from hoso.notifications import services
from hoso.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created: datetime
    read_at: datetime | None


class NotificationFilter(Schema):
    unread: bool = False


class ReadOut(Schema):
    changed: int
    unread: int


@router.get("/notifications/", response=list[NotificationOut])
@paginate(PageNumberPagination)
def list_notifications(request, filters: Query[NotificationFilter]):
    """The caller's notifications, newest first (`unread=true` for unread only)."""
    qs = Notification.objects.restrict(request.user)
    if filters.unread:
        qs = qs.unread()
    return qs


@router.post("/notifications/{int:id}/read", response=ReadOut)
def read_notification(request, id: int):
    """Mark one of the caller's notifications read."""
    notification = get_object_or_404(Notification.objects.restrict(request.user), pk=id)
    changed = services.mark_read(request.user, [notification.pk])
    return {"changed": changed, "unread": services.unread_count(request.user)}


@router.post("/notifications/read-all", response=ReadOut)
def read_all(request):
    """Mark all the caller's notifications read."""
    changed = services.mark_read(request.user)
    return {"changed": changed, "unread": 0}

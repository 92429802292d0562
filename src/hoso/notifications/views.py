"""The notifications page: a user's own messages, newest first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hoso.notifications import services
from hoso.notifications.models import Notification


@login_required
def notification_list(request):
    qs = Notification.objects.restrict(request.user)
    show = request.GET.get("show")
    if show == "unread":
        qs = qs.unread()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "show": show},
    )


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark one notification read and follow its link."""
    notification = get_object_or_404(Notification.objects.restrict(request.user), pk=pk)
    services.mark_read(request.user, [notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(request.user)
    return redirect("notifications:list")

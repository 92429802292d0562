"""Sending and reading notifications.

`notify()` is the one way to tell users something: it writes one row per
recipient in the caller's transaction and, when e-mail is wanted, enqueues
the e-mail job after commit. A `dedupe_key` makes a reminder job idempotent:
the same key for the same recipient is written once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from hoso.notifications.models import Notification


def notify(
    recipients: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each distinct active user in `recipients`; return the rows
    written (a recipient who already has `dedupe_key` is skipped)."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return []
    title = title[:300]
    url = url[:500]
    if dedupe_key:
        already = set(
            Notification.objects.filter(
                recipient_id__in=users, dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
    else:
        already = set()
    written = []
    for user_id, user in users.items():
        if user_id in already:
            continue
        row = Notification(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            dedupe_key=dedupe_key,
            email_wanted=email and bool(user.email),
        )
        try:
            # A savepoint per row: a concurrent run that wrote the same key
            # first makes this one a no-op instead of an error.
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue
        written.append(row)
    if any(row.email_wanted for row in written):
        from hoso.notifications.tasks import send_emails

        transaction.on_commit(lambda: send_emails.enqueue())
    return written


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are
    given); return how many changed. Ids of other users' rows are ignored."""
    qs = Notification.objects.restrict(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.restrict(user).unread().count()

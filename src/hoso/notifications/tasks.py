"""E-mail delivery of notifications: a background job, idempotent."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from hoso.notifications.models import Notification

logger = logging.getLogger(__name__)

BATCH = 200


@task()
def send_emails() -> int:
    """Send every notification that wants an e-mail and has none yet.

    Each row is claimed under a row lock and marked sent in the same
    transaction as the send, so a second worker or a re-run skips it; a
    failed send leaves the row for the next run (the scheduler runs this
    every few minutes)."""
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(email_wanted=True, emailed_at__isnull=True)
                .select_related("recipient")
                .order_by("id")[:BATCH]
            )
            if not rows:
                return sent
            for row in rows:
                body = row.body
                if row.url:
                    body = f"{body}\n\n{settings.SITE_URL.rstrip('/')}{row.url}".strip()
                try:
                    send_mail(
                        row.title,
                        body,
                        settings.DEFAULT_FROM_EMAIL,
                        [row.recipient.email],
                    )
                except Exception:
                    logger.exception("notification %s: e-mail failed", row.pk)
                    return sent
                row.emailed_at = timezone.now()
                row.save(update_fields=["emailed_at"])
                sent += 1

"""Periodic jobs, enqueued by `hoso scheduler` (and by `hoso serve`).

Each entry is (name, task, interval in seconds). The scheduler only enqueues;
workers run the jobs, so several workers on several machines share them.
Jobs are idempotent, so an extra run after a restart does no harm.
"""

from __future__ import annotations

from django.conf import settings


def periodic_jobs() -> list[tuple[str, object, int]]:
    from hoso.core.tasks import verify_audit_chain
    from hoso.digitization.tasks import requeue_abandoned_scans
    from hoso.meetings.tasks import send_meeting_reminders
    from hoso.members.tasks import retry_stale_checks
    from hoso.notifications.tasks import send_emails
    from hoso.operations import tasks as operations
    from hoso.search.tasks import process_outbox

    return [
        (
            "verify_audit_chain",
            verify_audit_chain,
            settings.AUDIT_CHECKPOINT_MINUTES * 60,
        ),
        # Safety net: index whatever a crash left in the search outbox.
        ("process_search_outbox", process_outbox, 60),
        # Safety net: e-mails a failed send left behind.
        ("send_notification_emails", send_emails, 300),
        # Deadline reminders: tasks and late report submitters.
        ("send_task_reminders", operations.send_task_reminders, 3600),
        ("send_report_reminders", operations.send_report_reminders, 3600),
        # Safety net: computed indicators a crash left stale.
        ("refresh_indicators", operations.refresh_indicators, 60),
        # Participants hear of a meeting the day before (idempotent).
        ("send_meeting_reminders", send_meeting_reminders, 900),
        # Safety net: citizen-ID checks left pending by a crash.
        ("retry_stale_citizen_checks", retry_stale_checks, 600),
        # Safety net: OCR again the scans whose worker died mid-way.
        ("requeue_abandoned_scans", requeue_abandoned_scans, 10 * 60),
    ]

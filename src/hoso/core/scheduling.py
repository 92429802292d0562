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
    from hoso.search.tasks import process_outbox

    return [
        (
            "verify_audit_chain",
            verify_audit_chain,
            settings.AUDIT_CHECKPOINT_MINUTES * 60,
        ),
        # Safety net: index whatever a crash left in the search outbox.
        ("process_search_outbox", process_outbox, 60),
        # Safety net: OCR again the scans whose worker died mid-way.
        ("requeue_abandoned_scans", requeue_abandoned_scans, 10 * 60),
    ]

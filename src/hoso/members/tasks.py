"""Background jobs of the member records (django-tasks)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from hoso.members import registry
from hoso.members.choices import CitizenCheckStatus


@task()
def check_citizen_id(check_id: int) -> str:
    """Ask the population registry about one check; retry an unreachable
    registry later (5 s, 30 s, 2 min), then give up as "failed"."""
    from hoso.members.models import CitizenIdCheck

    status = registry.run_check(check_id)
    if status == CitizenCheckStatus.PENDING:
        attempts = (
            CitizenIdCheck.objects.filter(pk=check_id)
            .values_list("attempts", flat=True)
            .first()
            or 1
        )
        delay = registry.RETRY_DELAYS[min(attempts, len(registry.RETRY_DELAYS)) - 1]
        check_citizen_id.using(
            run_after=timezone.now() + timedelta(seconds=delay)
        ).enqueue(check_id)
    return status


@task()
def retry_stale_checks() -> int:
    """Safety net (periodic): re-enqueue checks left pending by a crash."""
    from hoso.members.models import CitizenIdCheck

    stale = CitizenIdCheck.objects.filter(
        status=CitizenCheckStatus.PENDING,
        requested_at__lt=timezone.now() - timedelta(minutes=10),
    ).values_list("pk", flat=True)[:500]
    for pk in stale:
        check_citizen_id.enqueue(pk)
    return len(stale)

"""Background jobs of the operations centre (django-tasks), all idempotent:
reminders carry a dedupe key per task/deadline, so a second run sends
nothing twice; the indicator refresh applies the current data."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task


def send_task_reminders_now(today: date | None = None) -> int:
    """Remind leads (and coordinators) of deadlines coming up within
    `TASK_REMINDER_DAYS`, and leads and authorities of overdue tasks, once
    per task, deadline and (for overdue tasks) week of delay."""
    from hoso.notifications.services import notify
    from hoso.operations.models import Task

    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.TASK_REMINDER_DAYS)
    sent = 0
    upcoming = (
        Task.objects.open()
        .filter(deadline__gte=today, deadline__lte=soon)
        .select_related("lead__user")
        .prefetch_related("coordinators__user")
    )
    for item in upcoming:
        people = [item.lead, *item.coordinators.all()]
        sent += len(
            notify(
                [p.user for p in people if p.user_id],
                kind="task.due_soon",
                title=_("Deadline on %(date)s: %(title)s")
                % {"date": item.deadline.strftime("%d/%m/%Y"), "title": item.title},
                url=item.get_absolute_url(),
                email=True,
                dedupe_key=f"task:{item.pk}:due:{item.deadline.isoformat()}",
            )
        )
    overdue = (
        Task.objects.overdue(today)
        .exclude(status="submitted")
        .select_related("lead__user", "authority__user")
    )
    for item in overdue:
        week = (today - item.deadline).days // 7
        sent += len(
            notify(
                [p.user for p in (item.lead, item.authority) if p.user_id],
                kind="task.overdue",
                title=_("Overdue since %(date)s: %(title)s")
                % {"date": item.deadline.strftime("%d/%m/%Y"), "title": item.title},
                url=item.get_absolute_url(),
                email=True,
                dedupe_key=f"task:{item.pk}:overdue:{item.deadline.isoformat()}:{week}",
            )
        )
    return sent


@task()
def send_task_reminders() -> int:
    """Deadline reminders for tasks (the scheduler runs this hourly)."""
    return send_task_reminders_now()


@task()
def send_report_reminders() -> int:
    """Reminders to organizations that have not submitted a report."""
    from hoso.operations.reporting import send_report_reminders_now

    return send_report_reminders_now()


@task()
def refresh_indicators() -> int:
    """Drain the computed-indicator outbox."""
    from hoso.operations.live import drain_outbox

    return drain_outbox()


def enqueue_refresh() -> None:
    """Enqueue `refresh_indicators` unless a run is already waiting."""
    try:
        from django_tasks_db.models import DBTaskResult

        if (
            DBTaskResult.objects.ready()
            .filter(task_path=refresh_indicators.module_path)
            .exists()
        ):
            return
    except ImportError:  # another tasks backend: no de-duplication
        pass
    refresh_indicators.enqueue()

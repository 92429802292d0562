"""Background jobs of the digitization app (django-tasks, database backend)."""

from django_tasks import task

from hoso.digitization import services


@task()
def ocr_item(item_id: int) -> dict:
    """OCR one scanned file into a searchable PDF/A and open its review
    record. Idempotent: a finished item, or one another worker holds, is
    skipped (see `services.process_item`)."""
    return services.process_item(item_id)


@task()
def requeue_abandoned_scans() -> dict:
    """Periodic safety net: queue again the files whose worker died while
    reading them (processing for longer than INTAKE_STALE_MINUTES)."""
    return {"requeued": services.requeue_abandoned()}

"""Background jobs of the core app (django-tasks, database backend)."""

from django_tasks import task

from hoso.core import audit


@task()
def verify_audit_chain() -> dict:
    """Walk the audit chain; record an alert if it is broken, else checkpoint
    the head. Idempotent: a repeated run adds no duplicate alert."""
    result = audit.verify_and_alert()
    return {"ok": result.ok, "checked": result.checked, "message": result.message}

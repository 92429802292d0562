"""Signal receivers of the operations centre.

Computed indicators are derived data of other apps' records (documents) and
of tasks changed from many paths (services, admin, the meetings app): a
receiver writes an outbox row in the changing transaction so the dashboard
follows within seconds. Copies of organization paths follow subtree moves.
"""

from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hoso.organizations.signals import subtree_moved


@receiver(post_save, sender="operations.Task", dispatch_uid="ops_task_saved")
@receiver(post_delete, sender="operations.Task", dispatch_uid="ops_task_deleted")
def task_changed(sender, instance, raw=False, **kwargs) -> None:
    """A task changed: the "tasks on time" indicator may change."""
    if raw:
        return
    from hoso.operations.live import mark_stale

    mark_stale(instance.org_path, "tasks")


@receiver(post_save, sender="documents.Document", dispatch_uid="ops_document_saved")
def document_changed(sender, instance, raw=False, **kwargs) -> None:
    """An incoming document changed: "documents on time" may change."""
    if raw or instance.direction != "incoming":
        return
    from hoso.operations.live import mark_stale

    mark_stale(instance.org_path, "documents")


@receiver(subtree_moved, dispatch_uid="operations_follow_subtree")
def follow_subtree(sender, old_path: str, new_path: str, **kwargs) -> None:
    """Rows that copy their organization's path follow a moved subtree."""
    from hoso.operations.models import (
        IndicatorResult,
        IndicatorValue,
        ReportForm,
        ReportSubmission,
        Task,
    )

    for model in (Task, IndicatorValue, IndicatorResult, ReportForm, ReportSubmission):
        model.objects.filter(org_path__startswith=old_path).update(
            org_path=Concat(Value(new_path), Substr("org_path", len(old_path) + 1))
        )

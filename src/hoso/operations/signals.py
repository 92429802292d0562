"""Signal receivers of the operations centre.

Computed indicators are derived data of other apps' records (documents) and
of tasks changed from many paths (services, admin, the meetings app): a
receiver writes an outbox row in the changing transaction so the dashboard
follows within seconds. Copies of organization paths follow subtree moves.
"""

from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from hoso.members.signals import members_imported
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


def _mark(organization_id, topic: str) -> None:
    from hoso.operations.live import mark_stale
    from hoso.organizations.models import Organization

    path = (
        Organization.objects.filter(pk=organization_id)
        .values_list("path", flat=True)
        .first()
    )
    if path:
        mark_stale(path, topic)


@receiver(pre_save, sender="members.Member", dispatch_uid="ops_member_moving")
def member_moving(sender, instance, raw=False, **kwargs) -> None:
    """Remember where a member was counted before a transfer moves them."""
    if raw or instance.pk is None:
        return
    instance._ops_previous_organization_id = (
        sender.objects.filter(pk=instance.pk)
        .values_list("organization_id", flat=True)
        .first()
    )


@receiver(post_save, sender="members.Member", dispatch_uid="ops_member_saved")
@receiver(post_delete, sender="members.Member", dispatch_uid="ops_member_deleted")
def member_changed(sender, instance, raw=False, **kwargs) -> None:
    """A member record changed: "complete digital records" may change, where
    the member is counted now and where they were counted before."""
    if raw:
        return
    _mark(instance.organization_id, "members")
    previous = getattr(instance, "_ops_previous_organization_id", None)
    if previous and previous != instance.organization_id:
        _mark(previous, "members")


@receiver(members_imported, dispatch_uid="ops_members_imported")
def members_bulk_changed(sender, organization, **kwargs) -> None:
    """A bulk import wrote members without saving them one by one."""
    _mark(organization.pk, "members")


@receiver(post_save, sender="meetings.Meeting", dispatch_uid="ops_meeting_saved")
def meeting_changed(sender, instance, raw=False, **kwargs) -> None:
    """A meeting was held, moved or cancelled: "documents published in
    advance" may change."""
    if raw:
        return
    _mark(instance.organization_id, "meetings")


@receiver(
    post_save, sender="meetings.AgendaDocument", dispatch_uid="ops_agenda_doc_saved"
)
@receiver(
    post_delete, sender="meetings.AgendaDocument", dispatch_uid="ops_agenda_doc_del"
)
def agenda_document_changed(sender, instance, raw=False, **kwargs) -> None:
    """A document was added to an agenda or published."""
    if raw:
        return
    from hoso.meetings.models import Meeting

    organization_id = (
        Meeting.objects.filter(agenda_items__pk=instance.item_id)
        .values_list("organization_id", flat=True)
        .first()
    )
    if organization_id:
        _mark(organization_id, "meetings")


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

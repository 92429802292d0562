"""Case files (hồ sơ công việc): the file plan, closing and archive transfer."""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.documents.models import CaseFile, Document

FIELDS = ["organization", "year", "code", "title", "retention_years", "keeper"]
ALERT_DAYS = 30


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _lock(case_file: CaseFile, user) -> CaseFile:
    return (
        CaseFile.objects.restrict(user, "change")
        .select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=case_file.pk)
    )


@transaction.atomic
def create_case_file(*, acting_user, organization, **fields) -> CaseFile:
    """Open a case file in the organization's file plan for a year."""
    if not permissions.has_permission(
        acting_user, "documents.add_casefile", organization
    ):
        raise PermissionDenied
    case_file = CaseFile(organization=organization, **fields)
    case_file.full_clean()
    case_file.save()
    audit.record(
        "documents.casefile_created",
        obj=case_file,
        actor=acting_user,
        changes=audit.diff({}, audit.snapshot(case_file, FIELDS)),
    )
    return case_file


@transaction.atomic
def add_documents(case_file: CaseFile, documents, *, acting_user) -> CaseFile:
    """File documents (of the same organization, visible to the user) into an
    open case file."""
    case_file = _lock(case_file, acting_user)
    if not case_file.is_open:
        raise ValidationError({"documents": _("The case file is closed.")})
    visible = Document.objects.restrict(acting_user, "view").filter(
        organization=case_file.organization
    )
    ids = [document.pk for document in documents]
    found = list(visible.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise Document.DoesNotExist
    case_file.documents.add(*found)
    audit.record(
        "documents.casefile_filed",
        obj=case_file,
        actor=acting_user,
        changes={"documents": [None, sorted(ids)]},
    )
    return case_file


@transaction.atomic
def close_case_file(
    case_file: CaseFile, *, acting_user, closed_on: datetime.date | None = None
) -> CaseFile:
    """Close the file; transfer to the archive falls due a year later
    (`HOSO_ARCHIVE_AFTER_MONTHS`)."""
    case_file = _lock(case_file, acting_user)
    if not case_file.is_open:
        raise ValidationError({"closed_on": _("The case file is already closed.")})
    if not case_file.documents.exists():
        raise ValidationError({"documents": _("An empty case file cannot be closed.")})
    case_file.closed_on = closed_on or timezone.localdate()
    case_file.archive_due = _add_months(
        case_file.closed_on, settings.ARCHIVE_AFTER_MONTHS
    )
    case_file.save(update_fields=["closed_on", "archive_due", "updated"])
    audit.record(
        "documents.casefile_closed",
        obj=case_file,
        actor=acting_user,
        changes={"archive_due": [None, case_file.archive_due.isoformat()]},
    )
    return case_file


@transaction.atomic
def mark_transferred(
    case_file: CaseFile, *, acting_user, on: datetime.date | None = None
) -> CaseFile:
    """Record the transfer of a closed file to the archive."""
    case_file = _lock(case_file, acting_user)
    if case_file.is_open:
        raise ValidationError({"transferred_on": _("Close the case file first.")})
    case_file.transferred_on = on or timezone.localdate()
    case_file.save(update_fields=["transferred_on", "updated"])
    audit.record(
        "documents.casefile_transferred",
        obj=case_file,
        actor=acting_user,
        changes={"transferred_on": [None, case_file.transferred_on.isoformat()]},
    )
    return case_file


def case_files_to_hand_over(organization):
    """The case files a restructuring hands over: the open ones."""
    return CaseFile.objects.filter(organization=organization, closed_on__isnull=True)


def check_case_files_can_move(source, target) -> None:
    """Refuse (ValidationError on `target`) a handover that would give the
    target two files with the same code in the same year's file plan."""
    clashes = sorted(
        f"{year}/{code}"
        for year, code in case_files_to_hand_over(source).values_list("year", "code")
        if CaseFile.objects.filter(organization=target, year=year, code=code).exists()
    )
    if clashes:
        raise ValidationError(
            {
                "target": _(
                    "The successor already has case files with these codes: "
                    "%(codes)s. Rename them first."
                )
                % {"codes": ", ".join(clashes)}
            }
        )


def hand_over_case_files(source, target, *, acting_user, reason: str) -> int:
    """Move `source`'s open case files to `target` (restructuring); returns
    how many moved. Closed files stay with the source, which keeps them
    until their transfer to the archive.

    Called by the organization restructuring service, which has checked the
    permission on both organizations and holds the transaction.
    """
    check_case_files_can_move(source, target)
    moved = 0
    for case_file in case_files_to_hand_over(source).select_for_update(of=("self",)):
        case_file.organization = target
        case_file.save(update_fields=["organization", "updated"])
        audit.record(
            "documents.casefile_handed_over",
            obj=case_file,
            actor=acting_user,
            changes={"organization": [source.pk, target.pk], "reason": reason},
        )
        moved += 1
    return moved


def due_for_transfer(user, today: datetime.date | None = None):
    """Closed files whose transfer is due within 30 days (or overdue)."""
    today = today or timezone.localdate()
    return CaseFile.objects.restrict(user, "view").filter(
        transferred_on__isnull=True,
        archive_due__isnull=False,
        archive_due__lte=today + datetime.timedelta(days=ALERT_DAYS),
    )


def waiting_items(user):
    from django.urls import reverse

    return [
        (
            _("Case files due for transfer to the archive"),
            due_for_transfer(user).count(),
            reverse("documents:casefile-list") + "?due=1",
        )
    ]

"""Services of the operations centre: tasks with the six clears, their
workflow, indicator values and the evaluation input.

Every function checks the permission policy, runs in one transaction,
writes an audit entry and notifies the people concerned. Report services
live in `operations.reporting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.operations.choices import (
    OPEN_TASK_STATUSES,
    ExtensionStatus,
    SourceKind,
    TaskEventKind,
    TaskStatus,
)
from hoso.operations.models import (
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    Task,
    TaskEvent,
    TaskEvidence,
)

TASK_FIELDS = [
    "title",
    "description",
    "lead",
    "deadline",
    "product",
    "authority",
    "organization",
    "status",
    "progress",
    "source_document",
    "source_kind",
    "source_id",
    "source_label",
    "parent",
]


def _person_of(user):
    return getattr(user, "person", None)


def _users(*people) -> list:
    return [p.user for p in people if p is not None and p.user_id]


def _notify(people: Iterable, task: Task, *, kind: str, title: str, key: str = ""):
    from hoso.notifications.services import notify

    notify(
        _users(*people),
        kind=kind,
        title=title,
        body=task.title,
        url=task.get_absolute_url(),
        email=True,
        dedupe_key=key,
    )


def _locked(task: Task, user) -> Task:
    """Re-read the task under a row lock, within what the user may see."""
    return (
        Task.objects.restrict(user, "view")
        .select_for_update(of=("self",))
        .select_related("lead", "authority", "organization")
        .get(pk=task.pk)
    )


def _event(task, kind, user, text="", progress=None, files=()) -> TaskEvent:
    from hoso.documents import storage

    event = TaskEvent.objects.create(
        task=task, kind=kind, actor=user, text=text, progress=progress
    )
    for name, content in files:
        stored = storage.store_file(content, name=name)
        TaskEvidence.objects.create(event=event, stored_file=stored, name=name[:255])
    return event


def validate_six_clears(
    *,
    title,
    description,
    lead,
    deadline,
    coordinators,
    product,
    authority,
    organization,
    parent=None,
    today: date | None = None,
) -> None:
    """Raise a ValidationError naming every missing or wrong clear."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Give the task a title.")
    if not (description or "").strip():
        errors["description"] = _("Clear work: describe what has to be done.")
    if lead is None:
        errors["lead"] = _("Clear person: name the lead person.")
    if deadline is None:
        errors["deadline"] = _("Clear time: set a deadline.")
    elif deadline < today:
        errors["deadline"] = _("Clear time: the deadline is already past.")
    elif parent is not None and deadline > parent.deadline:
        errors["deadline"] = _(
            "A subtask must be done by its parent task's deadline (%(date)s)."
        ) % {"date": parent.deadline.strftime("%d/%m/%Y")}
    if not coordinators:
        errors["coordinators"] = _(
            "Clear responsibility: name at least one coordinator."
        )
    elif lead is not None and any(p.pk == lead.pk for p in coordinators):
        errors["coordinators"] = _("The lead person cannot also coordinate.")
    if not (product or "").strip():
        errors["product"] = _("Clear product: say what result is expected.")
    if authority is None:
        errors["authority"] = _("Clear authority: name who accepts the result.")
    elif lead is not None and authority.pk == lead.pk:
        errors["authority"] = _("The lead person cannot accept their own result.")
    if organization is None:
        errors["organization"] = _("Choose the responsible organization.")
    elif parent is not None and not organization.path.startswith(
        parent.organization.path
    ):
        errors["organization"] = _(
            "A subtask goes to the parent task's organization or one below it."
        )
    if errors:
        raise ValidationError(errors)


def _may_assign(user, organization, parent) -> bool:
    if permissions.has_permission(user, "operations.add_task", organization):
        return True
    # The lead of a task may split it for the levels below.
    person = _person_of(user)
    return parent is not None and person is not None and parent.lead_id == person.pk


@transaction.atomic
def create_task(
    *,
    acting_user,
    title: str,
    description: str,
    lead,
    deadline: date | None,
    coordinators: Iterable,
    product: str,
    authority,
    organization,
    source_document=None,
    source_kind: str = "",
    source_id: int | None = None,
    source_label: str = "",
    parent: Task | None = None,
) -> Task:
    """Assign a task with the six clears.

    GIVEN a user with `operations.add_task` at the organization (or the lead
    of `parent`, splitting it for a lower level)
    WHEN they assign a task naming the lead, work, deadline, coordinators,
    product and accepting authority
    THEN the task is stored, its timeline starts, the lead and coordinators
    are notified (in-app and e-mail) and the assignment is audited.
    Another app records its source with `source_kind` (e.g. "meeting"),
    `source_id` and `source_label`.
    """
    coordinators = list(coordinators or [])
    if parent is not None:
        parent = Task.objects.select_related("organization").get(pk=parent.pk)
    validate_six_clears(
        title=title,
        description=description,
        lead=lead,
        deadline=deadline,
        coordinators=coordinators,
        product=product,
        authority=authority,
        organization=organization,
        parent=parent,
    )
    if source_kind not in SourceKind.values:
        raise ValidationError({"source_kind": _("Unknown source.")})
    if source_document is not None:
        source_kind = source_kind or SourceKind.DOCUMENT
        if not source_label:
            source_label = (source_document.symbol or source_document.excerpt)[:300]
    if not _may_assign(acting_user, organization, parent):
        raise PermissionDenied
    task = Task(
        organization=organization,
        org_path=organization.path,
        parent=parent,
        title=title.strip(),
        description=description.strip(),
        lead=lead,
        deadline=deadline,
        original_deadline=deadline,
        product=product.strip(),
        authority=authority,
        source_document=source_document,
        source_kind=source_kind,
        source_id=source_id,
        source_label=source_label[:300],
        created_by=acting_user,
    )
    task.full_clean(exclude=["coordinators", "org_path", "original_deadline"])
    task.save()
    task.coordinators.set(coordinators)
    _event(task, TaskEventKind.ASSIGNED, acting_user)
    if parent is not None:
        _event(parent, TaskEventKind.SUBTASK, acting_user, text=task.title)
    audit.record(
        "operations.task_assigned",
        obj=task,
        actor=acting_user,
        changes={
            **audit.diff({}, audit.snapshot(task, TASK_FIELDS)),
            "coordinators": [None, [p.pk for p in coordinators]],
        },
    )
    _notify(
        [lead, *coordinators],
        task,
        kind="task.assigned",
        title=_("New task: %(title)s") % {"title": task.title},
    )
    return task


def _may_report(task: Task, user) -> bool:
    person = _person_of(user)
    if person is not None and (
        task.lead_id == person.pk or task.coordinators.filter(pk=person.pk).exists()
    ):
        return True
    return permissions.has_permission(user, "operations.change_task", task.organization)


def _is_lead(task: Task, user) -> bool:
    person = _person_of(user)
    return user.is_superuser or (person is not None and task.lead_id == person.pk)


def _is_authority(task: Task, user) -> bool:
    person = _person_of(user)
    return user.is_superuser or (person is not None and task.authority_id == person.pk)


def _refuse_closed(task: Task) -> None:
    if task.status not in OPEN_TASK_STATUSES:
        raise ValidationError(
            _("This task is %(status)s: it can no longer change.")
            % {"status": task.get_status_display().lower()}
        )


@transaction.atomic
def report_progress(
    task: Task, *, acting_user, text: str, progress: int, files=()
) -> TaskEvent:
    """Report progress with evidence files.

    GIVEN the lead, a coordinator or someone who may change the task
    WHEN they report progress (0–100 %) with a note and files
    THEN the timeline records it, the files are stored content-addressed and
    an assigned or returned task is in progress.
    """
    task = _locked(task, acting_user)
    _refuse_closed(task)
    if not _may_report(task, acting_user):
        raise PermissionDenied
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("Say what was done.")
    if progress is None or not 0 <= int(progress) <= 100:
        errors["progress"] = _("Progress is a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(task, ["status", "progress"])
    if task.status in (TaskStatus.ASSIGNED, TaskStatus.RETURNED):
        task.status = TaskStatus.IN_PROGRESS
    if task.status != TaskStatus.SUBMITTED:
        task.progress = int(progress)
    task.save(update_fields=["status", "progress", "updated"])
    event = _event(
        task, TaskEventKind.PROGRESS, acting_user, text.strip(), int(progress), files
    )
    audit.record(
        "operations.task_progress",
        obj=task,
        actor=acting_user,
        changes={
            **audit.diff(before, audit.snapshot(task, ["status", "progress"])),
            "files": [None, [name for name, _c in files]],
        },
    )
    return event


@transaction.atomic
def submit_result(task: Task, *, acting_user, text: str, files=()) -> Task:
    """The lead hands in the result for acceptance; the authority is told."""
    task = _locked(task, acting_user)
    _refuse_closed(task)
    if not _is_lead(task, acting_user):
        raise PermissionDenied
    if not task.can_transition(TaskStatus.SUBMITTED):
        raise ValidationError(_("The result was already submitted."))
    if not (text or "").strip():
        raise ValidationError({"text": _("Describe the result handed in.")})
    task.status = TaskStatus.SUBMITTED
    task.progress = 100
    task.submitted_at = timezone.now()
    task.save(update_fields=["status", "progress", "submitted_at", "updated"])
    _event(task, TaskEventKind.SUBMITTED, acting_user, text.strip(), 100, files)
    audit.record(
        "operations.task_submitted",
        obj=task,
        actor=acting_user,
        changes={"status": [None, task.status]},
    )
    _notify(
        [task.authority],
        task,
        kind="task.submitted",
        title=_("Result to accept: %(title)s") % {"title": task.title},
    )
    return task


@transaction.atomic
def accept_task(task: Task, *, acting_user, note: str = "") -> Task:
    """The accepting authority accepts the submitted result."""
    task = _locked(task, acting_user)
    if not _is_authority(task, acting_user):
        raise PermissionDenied
    if not task.can_transition(TaskStatus.ACCEPTED):
        raise ValidationError(_("Only a submitted result can be accepted."))
    task.status = TaskStatus.ACCEPTED
    task.accepted_at = timezone.now()
    task.save(update_fields=["status", "accepted_at", "updated"])
    _event(task, TaskEventKind.ACCEPTED, acting_user, (note or "").strip())
    audit.record(
        "operations.task_accepted",
        obj=task,
        actor=acting_user,
        changes={"status": [TaskStatus.SUBMITTED, task.status]},
    )
    _notify(
        [task.lead],
        task,
        kind="task.accepted",
        title=_("Task accepted: %(title)s") % {"title": task.title},
    )
    return task


@transaction.atomic
def return_task(task: Task, *, acting_user, reason: str) -> Task:
    """The accepting authority returns the result for more work."""
    task = _locked(task, acting_user)
    if not _is_authority(task, acting_user):
        raise PermissionDenied
    if not task.can_transition(TaskStatus.RETURNED):
        raise ValidationError(_("Only a submitted result can be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the result is returned.")})
    task.status = TaskStatus.RETURNED
    task.returned_count += 1
    task.submitted_at = None
    task.save(update_fields=["status", "returned_count", "submitted_at", "updated"])
    _event(task, TaskEventKind.RETURNED, acting_user, reason.strip())
    audit.record(
        "operations.task_returned",
        obj=task,
        actor=acting_user,
        changes={"status": [TaskStatus.SUBMITTED, task.status], "reason": reason},
    )
    _notify(
        [task.lead],
        task,
        kind="task.returned",
        title=_("Task returned: %(title)s") % {"title": task.title},
    )
    return task


@transaction.atomic
def request_extension(
    task: Task, *, acting_user, new_deadline: date | None, reason: str
) -> ExtensionRequest:
    """The lead asks the authority for a later deadline."""
    task = _locked(task, acting_user)
    _refuse_closed(task)
    if not _is_lead(task, acting_user):
        raise PermissionDenied
    errors = {}
    if new_deadline is None or new_deadline <= task.deadline:
        errors["new_deadline"] = _(
            "The new deadline must be after the current one (%(date)s)."
        ) % {"date": task.deadline.strftime("%d/%m/%Y")}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the extension.")
    if errors:
        raise ValidationError(errors)
    if task.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(_("An extension request is already waiting."))
    extension = ExtensionRequest.objects.create(
        task=task, requested_by=acting_user, new_deadline=new_deadline, reason=reason
    )
    _event(
        task,
        TaskEventKind.EXTENSION_REQUESTED,
        acting_user,
        f"{new_deadline:%d/%m/%Y}: {reason.strip()}",
    )
    audit.record(
        "operations.extension_requested",
        obj=task,
        actor=acting_user,
        changes={"new_deadline": [None, new_deadline.isoformat()]},
    )
    _notify(
        [task.authority],
        task,
        kind="task.extension",
        title=_("Extension requested: %(title)s") % {"title": task.title},
    )
    return extension


@transaction.atomic
def decide_extension(
    extension: ExtensionRequest, *, acting_user, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The authority approves (the deadline moves) or refuses a request."""
    task = _locked(extension.task, acting_user)
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    if not _is_authority(task, acting_user):
        raise PermissionDenied
    if extension.status != ExtensionStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = acting_user
    extension.decided_at = timezone.now()
    extension.decision_note = (note or "").strip()
    extension.save()
    old = task.deadline
    if approve:
        task.deadline = extension.new_deadline
        task.save(update_fields=["deadline", "updated"])
    _event(
        task,
        TaskEventKind.EXTENSION_APPROVED
        if approve
        else TaskEventKind.EXTENSION_REFUSED,
        acting_user,
        extension.decision_note,
    )
    audit.record(
        "operations.extension_decided",
        obj=task,
        actor=acting_user,
        changes={
            "approved": [None, approve],
            "deadline": [old.isoformat(), task.deadline.isoformat()],
        },
    )
    _notify(
        [task.lead],
        task,
        kind="task.extension",
        title=(
            _("Extension approved: %(title)s")
            if approve
            else _("Extension refused: %(title)s")
        )
        % {"title": task.title},
    )
    return extension


@transaction.atomic
def cancel_task(task: Task, *, acting_user, reason: str) -> Task:
    """Whoever assigned the task (or the authority) cancels it."""
    task = _locked(task, acting_user)
    _refuse_closed(task)
    if not (task.created_by_id == acting_user.pk or _is_authority(task, acting_user)):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the task is cancelled.")})
    previous = task.status
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status", "updated"])
    _event(task, TaskEventKind.CANCELLED, acting_user, reason.strip())
    audit.record(
        "operations.task_cancelled",
        obj=task,
        actor=acting_user,
        changes={"status": [previous, task.status], "reason": reason},
    )
    return task


def tasks_to_hand_over(organization) -> QuerySet[Task]:
    """The tasks a restructuring hands over: the open ones the organization
    is responsible for."""
    return Task.objects.open().filter(organization=organization)


def hand_over_tasks(source, target, *, acting_user, reason: str) -> int:
    """Make `target` responsible for `source`'s open tasks (restructuring);
    returns how many moved.

    Called by the organization restructuring service, which has checked the
    permission on both organizations and holds the transaction. The lead,
    coordinators, authority and deadline stay: the people carry on until
    the successor reassigns the work. Closed tasks stay with the source.
    """
    moved = 0
    for task in tasks_to_hand_over(source).select_for_update(of=("self",)):
        task.organization = target
        task.org_path = target.path
        task.save(update_fields=["organization", "org_path", "updated"])
        _event(task, TaskEventKind.HANDED_OVER, acting_user, reason)
        audit.record(
            "operations.task_handed_over",
            obj=task,
            actor=acting_user,
            changes={"organization": [source.pk, target.pk], "reason": reason},
        )
        moved += 1
    return moved


def available_actions(task: Task, user) -> set[str]:
    """The buttons to show: the same rules as the services."""
    actions: set[str] = set()
    if task.is_open:
        if _may_report(task, user) and task.status != TaskStatus.SUBMITTED:
            actions.add("progress")
        if _is_lead(task, user):
            if task.can_transition(TaskStatus.SUBMITTED):
                actions.add("submit")
            if not task.extensions.filter(status=ExtensionStatus.PENDING).exists():
                actions.add("extension")
            actions.add("subtask")
        if permissions.has_permission(user, "operations.add_task", task.organization):
            actions.add("subtask")
        if task.created_by_id == user.pk or _is_authority(task, user):
            actions.add("cancel")
    if _is_authority(task, user) and task.status == TaskStatus.SUBMITTED:
        actions.update({"accept", "return"})
    if (
        _is_authority(task, user)
        and task.extensions.filter(status=ExtensionStatus.PENDING).exists()
    ):
        actions.add("decide_extension")
    return actions


# Overdue lists and evaluation input ----------------------------------------


def overdue_by_person(user, today: date | None = None) -> list[dict]:
    """Overdue tasks in the user's scope, counted per lead person."""
    rows = (
        Task.objects.restrict(user, "view")
        .overdue(today)
        .values("lead_id", "lead__full_name")
        .annotate(count=Count("id"))
        .order_by("-count", "lead__full_name")
    )
    return list(rows)


def overdue_by_organization(user, today: date | None = None) -> list[dict]:
    """Overdue tasks in the user's scope, counted per organization."""
    rows = (
        Task.objects.restrict(user, "view")
        .overdue(today)
        .values("organization_id", "organization__name")
        .annotate(count=Count("id"))
        .order_by("-count", "organization__name")
    )
    return list(rows)


def _result_counts() -> dict:
    """The aggregates behind task_results, over a queryset of tasks."""
    today = timezone.localdate()
    accepted = Q(status=TaskStatus.ACCEPTED)
    return {
        "on_time": Count(
            "pk", filter=accepted & Q(submitted_at__date__lte=F("deadline"))
        ),
        "accepted_late": Count(
            "pk", filter=accepted & Q(submitted_at__date__gt=F("deadline"))
        ),
        "open_late": Count(
            "pk", filter=Q(status__in=OPEN_TASK_STATUSES, deadline__lt=today)
        ),
        "returned": Count("pk", filter=Q(returned_count__gt=0)),
        "open": Count(
            "pk", filter=Q(status__in=OPEN_TASK_STATUSES, deadline__gte=today)
        ),
        "total": Count("pk"),
    }


def _results(row: dict) -> dict[str, int]:
    return {
        "on_time": row["on_time"],
        "late": row["accepted_late"] + row["open_late"],
        "returned": row["returned"],
        "open": row["open"],
        "total": row["total"],
    }


def _tasks_due(start: date, end: date):
    return Task.objects.filter(deadline__gte=start, deadline__lte=end).exclude(
        status=TaskStatus.CANCELLED
    )


def task_results(
    *, person=None, organization=None, start: date, end: date
) -> dict[str, int]:
    """Task results over a period, for the annual rating.

    Counts the tasks whose deadline falls in [start, end] led by `person`
    and/or in `organization`'s subtree: `on_time` (accepted, result handed
    in by the deadline), `late` (accepted after the deadline, or still open
    past it), `returned` (returned at least once), `open` (not yet due),
    `total` (all but cancelled). One query.
    """
    qs = _tasks_due(start, end)
    if person is not None:
        qs = qs.filter(lead=person)
    if organization is not None:
        qs = qs.filter(org_path__startswith=organization.path)
    return _results(qs.aggregate(**_result_counts()))


def task_results_by_lead(
    person_ids, *, start: date, end: date
) -> dict[int, dict[str, int]]:
    """task_results for many lead persons at once (the rating round's
    table): person id → results, in one query; persons without tasks are
    left out."""
    rows = (
        _tasks_due(start, end)
        .filter(lead_id__in=list(person_ids))
        .order_by()
        .values("lead_id")
        .annotate(**_result_counts())
    )
    return {row["lead_id"]: _results(row) for row in rows}


def waiting_items(user) -> list[tuple[str, int, str]]:
    """The home page: my open tasks, results to accept, my overdue tasks."""
    from django.urls import reverse

    person = _person_of(user)
    if person is None:
        return []
    mine = Task.objects.restrict(user, "view")
    return [
        (
            _("Tasks I lead"),
            mine.open().filter(lead=person).count(),
            reverse("operations:my-tasks"),
        ),
        (
            _("Task results to accept"),
            mine.filter(authority=person, status=TaskStatus.SUBMITTED).count(),
            reverse("operations:my-tasks"),
        ),
        (
            _("My overdue tasks"),
            mine.overdue().filter(lead=person).count(),
            reverse("operations:overdue"),
        ),
    ]


# Indicator values -----------------------------------------------------------


@transaction.atomic
def set_indicator_value(
    indicator: Indicator,
    *,
    acting_user,
    organization,
    period_start: date,
    value: float,
    weight: float = 1.0,
    note: str = "",
    source: str = "manual",
    numerator: int | None = None,
    denominator: int | None = None,
) -> IndicatorValue:
    """Enter (or correct) an indicator's value for an organization and
    period; the roll-up up the tree follows in the same transaction.

    GIVEN a user with `operations.add_indicatorvalue` at the organization
    WHEN they enter a value for the period containing `period_start`
    THEN the value is stored for that period, the organization's and its
    ancestors' results and lights are recomputed, and the entry is audited.
    """
    from hoso.operations import rollup
    from hoso.operations.indicators import period_bounds

    if acting_user is not None and not permissions.has_permission(
        acting_user, "operations.add_indicatorvalue", organization
    ):
        raise PermissionDenied
    errors = {}
    if indicator.computed and source != "computed":
        errors["value"] = _("This indicator is computed from Hoso's data.")
    if (
        indicator.measured_level
        and organization.level != indicator.measured_level
        and source != "computed"
    ):
        errors["organization"] = _(
            "This indicator is entered at the %(level)s level."
        ) % {"level": organization.get_level_display().lower()}
    if value is None:
        errors["value"] = _("Enter a value.")
    if weight is None or weight < 0:
        errors["weight"] = _("The weight cannot be negative.")
    if errors:
        raise ValidationError(errors)
    start, _end = period_bounds(indicator.period_kind, period_start)
    row = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, organization=organization, period_start=start)
        .first()
    )
    before = audit.snapshot(row, ["value", "weight", "note"]) if row else {}
    if row is None:
        row = IndicatorValue(
            indicator=indicator,
            organization=organization,
            org_path=organization.path,
            period_start=start,
        )
    row.value = float(value)
    row.weight = float(weight)
    row.note = (note or "")[:300]
    row.source = source
    row.numerator = numerator
    row.denominator = denominator
    row.entered_by = acting_user
    row.save()
    rollup.refresh_upwards(indicator, organization, start)
    if source != "computed":
        audit.record(
            "operations.indicator_value_set",
            obj=row,
            actor=acting_user,
            organization=organization,
            changes={
                "indicator": [None, indicator.code],
                "period": [None, start.isoformat()],
                **audit.diff(before, audit.snapshot(row, ["value", "weight", "note"])),
            },
        )
    return row


@transaction.atomic
def save_indicator(*, acting_user, instance: Indicator | None = None, **fields):
    """Define or change an indicator (as data).

    GIVEN a user with `operations.add_indicator` (new) or
    `operations.change_indicator` (existing)
    WHEN they save a definition
    THEN it is validated (thresholds in the direction's order, a known
    computed source), stored and audited; lights of stored results follow
    at the next write or rebuild.
    """
    action = "change" if instance is not None else "add"
    if not permissions.has_permission(acting_user, f"operations.{action}_indicator"):
        raise PermissionDenied
    indicator = instance or Indicator()
    before = audit.snapshot(indicator) if instance else {}
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    audit.record(
        f"operations.indicator_{'changed' if instance else 'created'}",
        obj=indicator,
        actor=acting_user,
        changes=audit.diff(before, audit.snapshot(indicator)),
    )
    if instance is not None:
        from hoso.operations import rollup

        for start in (
            indicator.results.values_list("period_start", flat=True)
            .distinct()
            .order_by("-period_start")[:4]
        ):
            rollup.rebuild(indicator, start)
    return indicator

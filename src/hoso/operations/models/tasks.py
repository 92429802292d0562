"""Tasks with the six clears, their timeline, evidence and extensions."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.operations.choices import (
    OPEN_TASK_STATUSES,
    ExtensionStatus,
    SourceKind,
    TaskEventKind,
    TaskStatus,
)

# Allowed transitions: from-status → to-statuses.
TASK_TRANSITIONS = {
    TaskStatus.ASSIGNED: {
        TaskStatus.IN_PROGRESS,
        TaskStatus.SUBMITTED,
        TaskStatus.CANCELLED,
    },
    TaskStatus.IN_PROGRESS: {TaskStatus.SUBMITTED, TaskStatus.CANCELLED},
    TaskStatus.RETURNED: {
        TaskStatus.IN_PROGRESS,
        TaskStatus.SUBMITTED,
        TaskStatus.CANCELLED,
    },
    TaskStatus.SUBMITTED: {TaskStatus.ACCEPTED, TaskStatus.RETURNED},
    TaskStatus.ACCEPTED: set(),
    TaskStatus.CANCELLED: set(),
}


class TaskQuerySet(RestrictedQuerySet):
    """Tasks with workflow and deadline scopes."""

    def open(self) -> TaskQuerySet:
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def overdue(self, today: date | None = None) -> TaskQuerySet:
        """Open tasks whose (possibly extended) deadline has passed; a result
        waiting for acceptance is not the lead's delay, but it still counts
        until accepted on time."""
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)

    def involving(self, person) -> TaskQuerySet:
        """Tasks where the person leads, coordinates or accepts."""
        if person is None:
            return self.none()
        coordinated = Task.coordinators.through.objects.filter(person=person).values(
            "task_id"
        )
        return self.filter(Q(lead=person) | Q(authority=person) | Q(pk__in=coordinated))

    def subtree(self, path: str) -> TaskQuerySet:
        return self.filter(org_path__startswith=path)


class Task(BaseModel):
    """A task with the six clears: lead (person), description (work),
    deadline (time), coordinators (responsibility), product and authority.

    `org_path` copies the responsible organization's path so the permission
    filter and the dashboard's subtree counts need no join. A task may come
    from a document (`source_document`) or from another app's record, e.g. a
    meeting conclusion (`source_kind`, `source_id`, `source_label`), and may
    be split into subtasks for lower levels (`parent`).
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("responsible organization"),
        on_delete=models.PROTECT,
        related_name="operations_tasks",
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent task"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subtasks",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("work to do"))
    lead = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("lead person"),
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    coordinators = models.ManyToManyField(
        "accounts.Person",
        verbose_name=_("coordinators"),
        related_name="coordinated_tasks",
    )
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"), editable=False)
    product = models.TextField(_("expected product"))
    authority = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("accepting authority"),
        on_delete=models.PROTECT,
        related_name="authorized_tasks",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.ASSIGNED,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    source_document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("source document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operations_tasks",
    )
    source_kind = models.CharField(
        _("source"), max_length=16, choices=SourceKind.choices, blank=True
    )
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("result submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "org_path"
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["org_path", "deadline"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["lead", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("operations:task", args=[self.pk])

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """The organization subtrees, plus (for viewing) the tasks the user
        leads, coordinates or accepts wherever they are."""
        q = super().scope_q(paths, user=user, action=action)
        person = getattr(user, "person", None)
        if action == "view" and person is not None:
            coordinated = Task.coordinators.through.objects.filter(
                person=person
            ).values("task_id")
            q |= Q(lead=person) | Q(authority=person) | Q(pk__in=coordinated)
        return q

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()

    @property
    def finished_on_time(self) -> bool | None:
        """For an accepted task: was the result submitted by the deadline?"""
        if self.status != TaskStatus.ACCEPTED or self.submitted_at is None:
            return None
        return timezone.localdate(self.submitted_at) <= self.deadline

    def can_transition(self, status: str) -> bool:
        return status in TASK_TRANSITIONS.get(self.status, set())

    @property
    def source_display(self) -> str:
        if self.source_document_id:
            return str(self.source_document.symbol or self.source_document.excerpt)
        return self.source_label


class TaskEvent(models.Model):
    """One line of a task's timeline: assignment, progress report (with
    evidence files), submission, acceptance, return, extension."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="events", verbose_name=_("task")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=TaskEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("note"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True)
    created = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.task}"


class TaskEvidence(models.Model):
    """An evidence file attached to a progress report or a result,
    content-addressed in the documents' file store."""

    event = models.ForeignKey(
        TaskEvent, on_delete=models.CASCADE, related_name="evidence"
    )
    stored_file = models.ForeignKey(
        "documents.StoredFile", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("file name"), max_length=255)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class ExtensionRequest(models.Model):
    """A request to move a task's deadline, decided by its authority."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_task",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.new_deadline}"

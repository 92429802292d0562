"""Operations API: tasks, indicators and their values, the dashboard and
periodic reports. Lookups go through `restrict()` (404 outside the scope);
transitions are POST endpoints calling the services."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.accounts.models import Person
from hoso.operations import services
from hoso.operations.choices import TaskStatus
from hoso.operations.filtersets import TaskFilterIn, filter_tasks
from hoso.operations.models import ExtensionRequest, Task

router = Router(tags=["operations"])


# Tasks -----------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    parent: int | None = Field(None, alias="parent_id")
    title: str
    description: str
    lead: int = Field(alias="lead_id")
    coordinators: list[int]
    deadline: date
    original_deadline: date
    product: str
    authority: int = Field(alias="authority_id")
    status: TaskStatus
    progress: int
    source_document: int | None = Field(None, alias="source_document_id")
    source_kind: str
    source_id: int | None
    source_label: str
    submitted_at: datetime | None
    accepted_at: datetime | None
    returned_count: int
    overdue: bool = Field(alias="is_overdue")

    @staticmethod
    def resolve_coordinators(obj):
        return [p.pk for p in obj.coordinators.all()]


class TaskIn(Schema):
    organization: int
    title: str = Field("", max_length=300)
    description: str = ""
    lead: int | None = None
    deadline: date | None = None
    coordinators: list[int] = []
    product: str = ""
    authority: int | None = None
    source_document: int | None = None
    source_kind: str = ""
    source_id: int | None = None
    source_label: str = Field("", max_length=300)
    parent: int | None = None


class ProgressIn(Schema):
    text: str
    progress: int = Field(ge=0, le=100)


class TextIn(Schema):
    text: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ExtensionIn(Schema):
    new_deadline: date
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class ResultsOut(Schema):
    on_time: int
    late: int
    returned: int
    open: int
    total: int


def _task(request, task_id: int) -> Task:
    return get_object_or_404(Task.objects.restrict(request.user, "view"), pk=task_id)


def _people(request, ids: list[int]) -> list[Person]:
    visible = Person.objects.restrict(request.user, "view")
    people = list(visible.filter(pk__in=ids))
    if len(people) != len(set(ids)):
        raise ValidationError({"coordinators": "Unknown person."})
    return people


def _person(request, pk: int | None, field: str) -> Person | None:
    if pk is None:
        return None
    person = Person.objects.restrict(request.user, "view").filter(pk=pk).first()
    if person is None:
        raise ValidationError({field: "Unknown person."})
    return person


@router.get("/tasks", response=list[TaskOut])
@paginate(PageNumberPagination)
def list_tasks(request, filters: Query[TaskFilterIn]):
    """Tasks in scope (and those the caller leads, coordinates or accepts)."""
    qs = Task.objects.restrict(request.user, "view").prefetch_related("coordinators")
    return filter_tasks(qs, filters.model_dump(exclude_none=True))


@router.get("/tasks/results", response=ResultsOut)
def get_task_results(
    request,
    start: date,
    end: date,
    person: int | None = None,
    organization: int | None = None,
):
    """Evaluation input: on time / late / returned for a person or an
    organization's subtree, tasks due in [start, end]."""
    from hoso.organizations.models import Organization

    who = (
        get_object_or_404(Person.objects.restrict(request.user, "view"), pk=person)
        if person
        else None
    )
    org = (
        get_object_or_404(
            Organization.objects.restrict(request.user, "view"), pk=organization
        )
        if organization
        else None
    )
    if who is None and org is None:
        who = getattr(request.user, "person", None)
        if who is None:
            raise ValidationError({"person": "Name a person or an organization."})
    return services.task_results(person=who, organization=org, start=start, end=end)


@router.get("/tasks/{int:task_id}", response=TaskOut)
def get_task(request, task_id: int):
    return _task(request, task_id)


@router.post("/tasks", response={201: TaskOut})
def create_task(request, payload: TaskIn):
    """Assign a task with the six clears (all required)."""
    from hoso.documents.models import Document
    from hoso.organizations.models import Organization

    organization = get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=payload.organization
    )
    parent = _task(request, payload.parent) if payload.parent else None
    document = (
        get_object_or_404(
            Document.objects.restrict(request.user, "view"), pk=payload.source_document
        )
        if payload.source_document
        else None
    )
    task = services.create_task(
        acting_user=request.user,
        title=payload.title,
        description=payload.description,
        lead=_person(request, payload.lead, "lead"),
        deadline=payload.deadline,
        coordinators=_people(request, payload.coordinators),
        product=payload.product,
        authority=_person(request, payload.authority, "authority"),
        organization=organization,
        source_document=document,
        source_kind=payload.source_kind,
        source_id=payload.source_id,
        source_label=payload.source_label,
        parent=parent,
    )
    return Status(201, task)


@router.post("/tasks/{int:task_id}/progress", response=TaskOut)
def task_progress(
    request,
    task_id: int,
    payload: Form[ProgressIn],
    files: File[list[UploadedFile]] = None,
):
    """Report progress with optional evidence files (multipart)."""
    task = _task(request, task_id)
    services.report_progress(
        task,
        acting_user=request.user,
        text=payload.text,
        progress=payload.progress,
        files=[(f.name, f) for f in files or []],
    )
    return _task(request, task_id)


@router.post("/tasks/{int:task_id}/submit", response=TaskOut)
def task_submit(request, task_id: int, payload: TextIn):
    return services.submit_result(
        _task(request, task_id), acting_user=request.user, text=payload.text
    )


@router.post("/tasks/{int:task_id}/accept", response=TaskOut)
def task_accept(request, task_id: int, payload: TextIn):
    return services.accept_task(
        _task(request, task_id), acting_user=request.user, note=payload.text
    )


@router.post("/tasks/{int:task_id}/return", response=TaskOut)
def task_return(request, task_id: int, payload: ReasonIn):
    return services.return_task(
        _task(request, task_id), acting_user=request.user, reason=payload.reason
    )


@router.post("/tasks/{int:task_id}/extension", response={201: dict})
def task_extension(request, task_id: int, payload: ExtensionIn):
    extension = services.request_extension(
        _task(request, task_id),
        acting_user=request.user,
        new_deadline=payload.new_deadline,
        reason=payload.reason,
    )
    return Status(201, {"id": extension.pk, "status": extension.status})


@router.post("/tasks/{int:task_id}/extension/decide", response=TaskOut)
def task_extension_decide(request, task_id: int, payload: DecisionIn):
    task = _task(request, task_id)
    extension = get_object_or_404(ExtensionRequest, task=task, status="pending")
    services.decide_extension(
        extension, acting_user=request.user, approve=payload.approve, note=payload.note
    )
    return _task(request, task_id)

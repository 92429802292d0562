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


# Indicators, values and the dashboard ----------------------------------------


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    description: str
    unit: str
    direction: str
    target: float | None
    target_date: date | None
    green_from: float
    yellow_from: float
    rule: str
    rollup_green_from: float
    rollup_yellow_from: float
    period_kind: str
    measured_level: str
    computed: str
    available: bool
    active: bool

    @staticmethod
    def resolve_available(obj):
        from hoso.operations import live

        return not obj.computed or live.available(obj.computed)


class IndicatorIn(Schema):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=255)
    description: str = ""
    unit: str = Field("", max_length=32)
    direction: str = "higher"
    target: float | None = None
    target_date: date | None = None
    green_from: float
    yellow_from: float
    rule: str = "mean"
    rollup_green_from: float = 80
    rollup_yellow_from: float = 50
    period_kind: str = "quarter"
    measured_level: str = ""
    computed: str = ""
    active: bool = True


class ValueOut(Schema):
    id: int
    indicator: int = Field(alias="indicator_id")
    organization: int = Field(alias="organization_id")
    period_start: date
    value: float
    weight: float
    numerator: int | None
    denominator: int | None
    source: str
    note: str


class ValueIn(Schema):
    organization: int
    period_start: date
    value: float
    weight: float = 1.0
    note: str = Field("", max_length=300)


class NodeOut(Schema):
    organization: int
    name: str
    level: str
    value: float | None
    light: str
    green_below: int
    yellow_below: int
    red_below: int
    rank: int | None
    of: int


class DashboardOut(Schema):
    indicator: int
    period_start: date
    node: NodeOut
    children: list[NodeOut]


LIGHT_NAMES = {0: "none", 1: "red", 2: "yellow", 3: "green"}


@router.get("/indicators", response=list[IndicatorOut])
@paginate(PageNumberPagination)
def list_indicators(request):
    from hoso.operations.models import Indicator

    return Indicator.objects.restrict(request.user, "view")


@router.get("/indicators/{int:indicator_id}", response=IndicatorOut)
def get_indicator(request, indicator_id: int):
    from hoso.operations.models import Indicator

    return get_object_or_404(
        Indicator.objects.restrict(request.user, "view"), pk=indicator_id
    )


@router.post("/indicators", response={201: IndicatorOut})
def create_indicator(request, payload: IndicatorIn):
    return Status(
        201, services.save_indicator(acting_user=request.user, **payload.model_dump())
    )


@router.get("/indicators/{int:indicator_id}/values", response=list[ValueOut])
@paginate(PageNumberPagination)
def list_values(
    request,
    indicator_id: int,
    organization: int | None = None,
    period_start: date | None = None,
):
    """Values in scope (entered, reported or computed)."""
    from hoso.operations.models import Indicator, IndicatorValue

    indicator = get_object_or_404(
        Indicator.objects.restrict(request.user, "view"), pk=indicator_id
    )
    qs = IndicatorValue.objects.restrict(request.user, "view").filter(
        indicator=indicator
    )
    if organization:
        qs = qs.filter(organization_id=organization)
    if period_start:
        qs = qs.filter(period_start=period_start)
    return qs


@router.post("/indicators/{int:indicator_id}/values", response={201: ValueOut})
def set_value(request, indicator_id: int, payload: ValueIn):
    """Enter a value; the roll-up follows before the response."""
    from hoso.operations.models import Indicator
    from hoso.organizations.models import Organization

    indicator = get_object_or_404(
        Indicator.objects.restrict(request.user, "view"), pk=indicator_id
    )
    organization = get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=payload.organization
    )
    row = services.set_indicator_value(
        indicator,
        acting_user=request.user,
        organization=organization,
        period_start=payload.period_start,
        value=payload.value,
        weight=payload.weight,
        note=payload.note,
    )
    return Status(201, row)


def _node_out(row) -> dict:
    return {
        "organization": row.organization_id,
        "name": row.name,
        "level": row.level,
        "value": row.value,
        "light": LIGHT_NAMES[row.light],
        "green_below": row.green,
        "yellow_below": row.yellow,
        "red_below": row.red,
        "rank": row.rank,
        "of": row.of,
    }


@router.get("/dashboard/{int:organization_id}", response=DashboardOut)
def get_dashboard(
    request, organization_id: int, indicator: int, period: date | None = None
):
    """A node and its children: lights, counts below, ranks among siblings."""
    from django.http import Http404

    from hoso.operations import dashboard
    from hoso.operations.models import Indicator
    from hoso.organizations.models import Organization

    organization = get_object_or_404(Organization, pk=organization_id)
    if not dashboard.may_view(request.user, organization):
        raise Http404
    selected = get_object_or_404(
        Indicator.objects.restrict(request.user, "view"), pk=indicator
    )
    start = dashboard.current_period(selected, period)
    result = dashboard.node_result(selected, organization, start)
    rank, of = dashboard.sibling_rank(selected, organization, start)
    node = dashboard.NodeRow(
        organization.pk, organization.name, organization.level, rank=rank, of=of
    )
    if result is not None:
        node.value, node.light = result.value, result.light
        node.green, node.yellow, node.red = (
            result.green_below,
            result.yellow_below,
            result.red_below,
        )
    children = dashboard.children_rows(selected, organization, start)
    return {
        "indicator": selected.pk,
        "period_start": start,
        "node": _node_out(node),
        "children": [_node_out(row) for row in children],
    }


# Periodic reports ------------------------------------------------------------


class ReportFieldIO(Schema):
    code: str
    label: str
    kind: str
    required: bool = True
    min_value: float | None = None
    max_value: float | None = None
    aggregate: str = ""
    indicator: str | None = None

    @staticmethod
    def resolve_indicator(obj):
        indicator = getattr(obj, "indicator", None)
        return getattr(indicator, "code", indicator)


class ReportFormOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    title: str
    description: str
    target_level: str
    fields: list[ReportFieldIO]

    @staticmethod
    def resolve_fields(obj):
        return list(obj.fields.all())


class ReportFormIn(Schema):
    organization: int
    title: str = Field("", max_length=300)
    description: str = ""
    target_level: str = ""
    target_organizations: list[int] = []
    fields: list[ReportFieldIO]


class RoundIn(Schema):
    period_start: date
    period_end: date
    due_date: date


class RoundOut(Schema):
    id: int
    form: int = Field(alias="form_id")
    period_start: date
    period_end: date
    due_date: date


class SubmissionOut(Schema):
    id: int
    round: int = Field(alias="round_id")
    organization: int = Field(alias="organization_id")
    status: str
    data: dict
    submitted_at: datetime | None
    return_reason: str


class AnswersIn(Schema):
    data: dict = {}


class AggregateOut(Schema):
    round: int
    organization: int
    total: dict
    children: list[dict]


def _fields_prefetch():
    from django.db.models import Prefetch

    from hoso.operations.models import ReportField

    return Prefetch("fields", queryset=ReportField.objects.select_related("indicator"))


@router.get("/report-forms", response=list[ReportFormOut])
@paginate(PageNumberPagination)
def list_report_forms(request):
    from hoso.operations.models import ReportForm

    return ReportForm.objects.restrict(request.user, "view").prefetch_related(
        _fields_prefetch()
    )


@router.get("/report-forms/{int:form_id}", response=ReportFormOut)
def get_report_form(request, form_id: int):
    from hoso.operations.models import ReportForm

    return get_object_or_404(
        ReportForm.objects.restrict(request.user, "view").prefetch_related(
            _fields_prefetch()
        ),
        pk=form_id,
    )


@router.post("/report-forms", response={201: ReportFormOut})
def create_report_form(request, payload: ReportFormIn):
    """Define a report form with typed fields for the levels below."""
    from hoso.operations import reporting
    from hoso.organizations.models import Organization

    visible = Organization.objects.restrict(request.user, "view")
    organization = get_object_or_404(visible, pk=payload.organization)
    targets = list(visible.filter(pk__in=payload.target_organizations))
    form = reporting.create_report_form(
        acting_user=request.user,
        organization=organization,
        title=payload.title,
        description=payload.description,
        target_level=payload.target_level,
        target_organizations=targets,
        fields=[f.model_dump() for f in payload.fields],
    )
    return Status(201, form)


@router.post("/report-forms/{int:form_id}/periods", response={201: RoundOut})
def open_report_round(request, form_id: int, payload: RoundIn):
    from hoso.operations import reporting
    from hoso.operations.models import ReportForm

    form = get_object_or_404(
        ReportForm.objects.restrict(request.user, "view"), pk=form_id
    )
    return Status(
        201,
        reporting.open_round(form, acting_user=request.user, **payload.model_dump()),
    )


@router.get("/report-periods/{int:round_id}/aggregate", response=AggregateOut)
def report_aggregate(request, round_id: int, organization: int | None = None):
    """The period's answers aggregated over an organization's subtree, and
    per child organization."""
    from hoso.operations import reporting
    from hoso.operations.models import ReportForm, ReportRound
    from hoso.organizations.models import Organization

    report_round = get_object_or_404(ReportRound, pk=round_id)
    get_object_or_404(
        ReportForm.objects.restrict(request.user, "view"), pk=report_round.form_id
    )
    visible = Organization.objects.restrict(request.user, "view")
    node = get_object_or_404(
        visible, pk=organization or report_round.form.organization_id
    )
    rows, total, _fields = reporting.rollup_rows(report_round, node, request.user)
    return {
        "round": report_round.pk,
        "organization": node.pk,
        "total": total,
        "children": [
            {"organization": r["organization"].pk, "values": r["values"]} for r in rows
        ],
    }


@router.get("/report-submissions", response=list[SubmissionOut])
@paginate(PageNumberPagination)
def list_submissions(request, round: int | None = None, status: str | None = None):
    from hoso.operations.models import ReportSubmission

    qs = ReportSubmission.objects.restrict(request.user, "view")
    if round:
        qs = qs.filter(round_id=round)
    if status:
        qs = qs.filter(status=status)
    return qs


def _submission(request, submission_id: int):
    from hoso.operations.models import ReportSubmission

    return get_object_or_404(
        ReportSubmission.objects.restrict(request.user, "view"), pk=submission_id
    )


@router.get("/report-submissions/{int:submission_id}", response=SubmissionOut)
def get_submission(request, submission_id: int):
    return _submission(request, submission_id)


@router.put("/report-submissions/{int:submission_id}", response=SubmissionOut)
def save_submission_draft(request, submission_id: int, payload: AnswersIn):
    from hoso.operations import reporting

    return reporting.save_draft(
        _submission(request, submission_id), acting_user=request.user, data=payload.data
    )


@router.post("/report-submissions/{int:submission_id}/submit", response=SubmissionOut)
def submit_submission(request, submission_id: int, payload: AnswersIn):
    from hoso.operations import reporting

    return reporting.submit_report(
        _submission(request, submission_id),
        acting_user=request.user,
        data=payload.data or None,
    )


@router.post("/report-submissions/{int:submission_id}/accept", response=SubmissionOut)
def accept_submission(request, submission_id: int):
    from hoso.operations import reporting

    return reporting.accept_report(
        _submission(request, submission_id), acting_user=request.user
    )


@router.post("/report-submissions/{int:submission_id}/return", response=SubmissionOut)
def return_submission(request, submission_id: int, payload: ReasonIn):
    from hoso.operations import reporting

    return reporting.return_report(
        _submission(request, submission_id),
        acting_user=request.user,
        reason=payload.reason,
    )

"""Pages of the operations centre: tasks, indicators, the dashboard and
periodic reports. Views are thin: lookups go through `restrict()`, changes
through the services."""

from __future__ import annotations

import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from hoso.core import permissions
from hoso.core.views import ObjectDetailView, ObjectListView
from hoso.operations import services
from hoso.operations.filtersets import TaskFilterSet
from hoso.operations.forms import (
    ExtensionForm,
    ProgressForm,
    ReasonForm,
    SubmitForm,
    TaskForm,
)
from hoso.operations.models import (
    ExtensionRequest,
    ReportSubmission,
    Task,
    TaskEvidence,
)
from hoso.operations.tables import TaskTable


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# Tasks -----------------------------------------------------------------------


class TaskListView(ObjectListView):
    """An organization's tasks (everything in the user's scope, filtered)."""

    model = Task
    table_class = TaskTable
    filterset_class = TaskFilterSet
    title = gettext_lazy("Tasks")
    template_name = "operations/task_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "lead")

    def get_add_url(self):
        if permissions.has_permission(self.request.user, "operations.add_task"):
            return reverse("operations:task-add")
        return None


class MyTasksView(TaskListView):
    """Tasks I lead, coordinate or accept."""

    title = gettext_lazy("My tasks")

    def get_queryset(self):
        person = getattr(self.request.user, "person", None)
        return super().get_queryset().involving(person)


class OverdueView(LoginRequiredMixin, TemplateView):
    """Overdue tasks per person and per organization."""

    template_name = "operations/overdue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["title"] = _("Overdue tasks")
        context["by_person"] = services.overdue_by_person(user)
        context["by_organization"] = services.overdue_by_organization(user)
        context["tasks"] = (
            Task.objects.restrict(user, "view")
            .overdue()
            .select_related("organization", "lead")[:200]
        )
        return context


class TaskDetailView(ObjectDetailView):
    model = Task
    template_name = "operations/task_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related(
                "organization", "lead", "authority", "parent", "source_document"
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = self.object
        user = self.request.user
        context["actions"] = services.available_actions(task, user)
        context["events"] = task.events.select_related("actor").prefetch_related(
            "evidence"
        )
        context["subtasks"] = (
            Task.objects.restrict(user, "view")
            .filter(parent=task)
            .select_related("organization", "lead")
        )
        context["extensions"] = task.extensions.all()
        context["coordinators"] = task.coordinators.all()
        context["progress_form"] = ProgressForm()
        context["submit_form"] = SubmitForm()
        context["reason_form"] = ReasonForm()
        context["extension_form"] = ExtensionForm()
        context["pending_extension"] = task.extensions.filter(status="pending").first()
        return context


class TaskCreateView(LoginRequiredMixin, FormView):
    """Assign a task, or a subtask of `?parent=` for a lower level."""

    template_name = "operations/task_form.html"
    form_class = TaskForm

    def dispatch(self, request, *args, **kwargs):
        self.parent = None
        if request.user.is_authenticated and request.GET.get("parent"):
            self.parent = get_object_or_404(
                Task.objects.restrict(request.user, "view"),
                pk=request.GET["parent"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["parent"] = self.parent
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.parent is not None:
            initial.update(
                {
                    "deadline": self.parent.deadline,
                    "authority": self.parent.lead_id,
                    "product": self.parent.product,
                }
            )
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parent"] = self.parent
        context["title"] = _("New subtask") if self.parent else _("New task")
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            task = services.create_task(
                acting_user=self.request.user,
                title=data["title"],
                description=data["description"],
                lead=data["lead"],
                deadline=data["deadline"],
                coordinators=data["coordinators"] or [],
                product=data["product"],
                authority=data["authority"],
                organization=data["organization"],
                source_document=data["source_document"],
                parent=self.parent,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error(None, _("You may not do this here."))
            return self.form_invalid(form)
        messages.success(self.request, _("The task was assigned."))
        return redirect(task.get_absolute_url())


def _files(request) -> list[tuple[str, object]]:
    return [(f.name, f) for f in request.FILES.getlist("files")]


class TaskActionView(LoginRequiredMixin, View):
    """POST /tasks/<pk>/<action>/: one workflow step through its service."""

    def post(self, request, pk, action):
        task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=pk)
        post = request.POST
        try:
            if action == "progress":
                form = ProgressForm(post, request.FILES)
                if not form.is_valid():
                    raise ValidationError(form.errors.get_json_data())
                services.report_progress(
                    task,
                    acting_user=request.user,
                    text=form.cleaned_data["text"],
                    progress=form.cleaned_data["progress"],
                    files=_files(request),
                )
            elif action == "submit":
                services.submit_result(
                    task,
                    acting_user=request.user,
                    text=post.get("text", ""),
                    files=_files(request),
                )
            elif action == "accept":
                services.accept_task(
                    task, acting_user=request.user, note=post.get("reason", "")
                )
            elif action == "return":
                services.return_task(
                    task, acting_user=request.user, reason=post.get("reason", "")
                )
            elif action == "cancel":
                services.cancel_task(
                    task, acting_user=request.user, reason=post.get("reason", "")
                )
            elif action == "extension":
                form = ExtensionForm(post)
                new_deadline = (
                    form.cleaned_data["new_deadline"] if form.is_valid() else None
                )
                services.request_extension(
                    task,
                    acting_user=request.user,
                    new_deadline=new_deadline,
                    reason=post.get("reason", ""),
                )
            elif action in ("approve-extension", "refuse-extension"):
                extension = get_object_or_404(
                    ExtensionRequest, task=task, status="pending"
                )
                services.decide_extension(
                    extension,
                    acting_user=request.user,
                    approve=action == "approve-extension",
                    note=post.get("reason", ""),
                )
            else:
                raise Http404
        except ValidationError as exc:
            for message in _messages_of(exc):
                messages.error(request, message)
        except PermissionDenied:
            messages.error(request, _("You may not do this here."))
        else:
            messages.success(request, _("Done."))
        return redirect(task.get_absolute_url())


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    out = []
    for message in exc.messages:
        out.append(str(message))
    return out


class EvidenceDownloadView(LoginRequiredMixin, View):
    """An evidence file, to whoever may see its task."""

    def get(self, request, pk):
        from hoso.documents import storage

        evidence = get_object_or_404(
            TaskEvidence.objects.select_related("stored_file", "event"), pk=pk
        )
        get_object_or_404(
            Task.objects.restrict(request.user, "view"), pk=evidence.event.task_id
        )
        body = storage.open_for_download(evidence.stored_file)
        response = FileResponse(
            io.BytesIO(body) if isinstance(body, bytes) else body,
            as_attachment=True,
            filename=evidence.name,
            content_type=evidence.stored_file.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class TaskResultsView(LoginRequiredMixin, TemplateView):
    """Evaluation input: task results per person and organization."""

    template_name = "operations/results.html"

    def get_context_data(self, **kwargs):
        from hoso.accounts.models import Person
        from hoso.organizations.models import Organization

        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        try:
            start = date.fromisoformat(self.request.GET.get("start", ""))
        except ValueError:
            start = date(today.year, 1, 1)
        try:
            end = date.fromisoformat(self.request.GET.get("end", ""))
        except ValueError:
            end = date(today.year, 12, 31)
        person = organization = None
        if self.request.GET.get("person"):
            person = get_object_or_404(
                Person.objects.restrict(user, "view"), pk=self.request.GET["person"]
            )
        if self.request.GET.get("organization"):
            organization = get_object_or_404(
                Organization.objects.restrict(user, "view"),
                pk=self.request.GET["organization"],
            )
        if person is None and organization is None:
            person = getattr(user, "person", None)
        context.update(
            {
                "title": _("Task results"),
                "start": start,
                "end": end,
                "person": person,
                "organization": organization,
                "results": services.task_results(
                    person=person, organization=organization, start=start, end=end
                )
                if person or organization
                else None,
            }
        )
        return context


# Indicators ------------------------------------------------------------------


class IndicatorListView(LoginRequiredMixin, TemplateView):
    template_name = "operations/indicator_list.html"

    def get_context_data(self, **kwargs):
        from hoso.operations import live
        from hoso.operations.models import Indicator

        context = super().get_context_data(**kwargs)
        user = self.request.user
        indicators = list(Indicator.objects.restrict(user, "view"))
        for indicator in indicators:
            indicator.available = not indicator.computed or live.available(
                indicator.computed
            )
        context["indicators"] = indicators
        context["title"] = _("Indicators")
        context["can_add"] = permissions.has_permission(
            user, "operations.add_indicator"
        )
        return context


class IndicatorEditView(LoginRequiredMixin, FormView):
    template_name = "generic/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        from hoso.operations.models import Indicator

        self.object = None
        if request.user.is_authenticated and "pk" in kwargs:
            self.object = get_object_or_404(
                Indicator.objects.restrict(request.user, "change"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        from hoso.operations.forms import IndicatorForm

        return IndicatorForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["title"] = str(self.object) if self.object else _("New indicator")
        return context

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            indicator = services.save_indicator(
                acting_user=self.request.user, instance=self.object, **data
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error(None, _("You may not do this here."))
            return self.form_invalid(form)
        return redirect(indicator.get_absolute_url())


class IndicatorDetailView(LoginRequiredMixin, View):
    """A definition, its values in scope and the entry form."""

    def get(self, request, pk, form=None):
        from hoso.operations import live
        from hoso.operations.forms import IndicatorValueForm
        from hoso.operations.models import Indicator, IndicatorValue

        indicator = get_object_or_404(
            Indicator.objects.restrict(request.user, "view"), pk=pk
        )
        values = (
            IndicatorValue.objects.restrict(request.user, "view")
            .filter(indicator=indicator)
            .select_related("organization", "entered_by")
            .order_by("-period_start", "org_path")[:100]
        )
        can_enter = not indicator.computed and permissions.has_permission(
            request.user, "operations.add_indicatorvalue"
        )
        return render(
            request,
            "operations/indicator_detail.html",
            {
                "title": indicator.name,
                "indicator": indicator,
                "values": values,
                "available": not indicator.computed
                or live.available(indicator.computed),
                "form": form
                or (IndicatorValueForm(user=request.user) if can_enter else None),
                "can_change": permissions.has_permission(
                    request.user, "operations.change_indicator"
                ),
            },
        )

    def post(self, request, pk):
        from hoso.operations.forms import IndicatorValueForm
        from hoso.operations.models import Indicator

        indicator = get_object_or_404(
            Indicator.objects.restrict(request.user, "view"), pk=pk
        )
        form = IndicatorValueForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_indicator_value(
                    indicator,
                    acting_user=request.user,
                    organization=data["organization"],
                    period_start=data["period_start"],
                    value=data["value"],
                    weight=data["weight"],
                    note=data["note"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                messages.success(request, _("The value was saved."))
                return redirect(indicator.get_absolute_url())
        return self.get(request, pk, form=form)


# Dashboard -------------------------------------------------------------------


class DashboardView(LoginRequiredMixin, View):
    """The operations centre: the organization tree with lights."""

    def get(self, request, pk=None):
        from hoso.operations import dashboard
        from hoso.organizations.models import Organization

        user = request.user
        roots = dashboard.scope_roots(user)
        if pk is None:
            if len(roots) == 1:
                return redirect(
                    reverse("operations:dashboard-node", args=[roots[0].pk])
                    + _query(request)
                )
            return render(
                request,
                "operations/dashboard_roots.html",
                {"title": _("Dashboard"), "roots": roots},
            )
        organization = get_object_or_404(Organization, pk=pk)
        if not dashboard.may_view(user, organization):
            raise Http404
        context = _dashboard_context(request, organization)
        if context is None:
            return render(
                request,
                "operations/dashboard_roots.html",
                {"title": _("Dashboard"), "roots": roots, "no_indicators": True},
            )
        template = (
            "operations/dashboard_children.html"
            if request.htmx
            else "operations/dashboard.html"
        )
        return render(request, template, context)


def _query(request) -> str:
    return f"?{request.GET.urlencode()}" if request.GET else ""


def _dashboard_context(request, organization) -> dict | None:
    from hoso.operations import dashboard, live
    from hoso.operations.models import Indicator

    user = request.user
    indicators = list(Indicator.objects.filter(active=True))
    if not indicators:
        return None
    selected = next(
        (i for i in indicators if str(i.pk) == request.GET.get("indicator")),
        indicators[0],
    )
    try:
        day = date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        day = timezone.localdate()
    period_start = dashboard.current_period(selected, day)
    rows = dashboard.children_rows(selected, organization, period_start)
    lights = dashboard.summary_lights([r.organization_id for r in rows], indicators)
    for row in rows:
        row.lights = lights.get(row.organization_id, [])
    result = dashboard.node_result(selected, organization, period_start)
    rank, of = dashboard.sibling_rank(selected, organization, period_start)
    ancestors = [a for a in organization.ancestors() if dashboard.may_view(user, a)]
    points = dashboard.trend(selected, organization)
    return {
        "title": _("Dashboard"),
        "organization": organization,
        "ancestors": ancestors,
        "indicators": indicators,
        "indicator": selected,
        "available": not selected.computed or live.available(selected.computed),
        "period_start": period_start,
        "period_label": dashboard.period_label(selected.period_kind, period_start),
        "result": result,
        "result_css": dashboard.LIGHT_CSS[result.light if result else 0],
        "rank": rank,
        "of": of,
        "rows": rows,
        "chart": dashboard.trend_svg_points(points),
        "behind": dashboard.behind(selected, organization, period_start, user),
        "query": f"indicator={selected.pk}&period={period_start.isoformat()}",
        "now": timezone.localtime(),
    }


# Periodic reports ------------------------------------------------------------


class ReportFormListView(LoginRequiredMixin, TemplateView):
    """Report forms defined here or above, and my organizations' reports."""

    template_name = "operations/report_form_list.html"

    def get_context_data(self, **kwargs):
        from hoso.operations.models import ReportForm, ReportSubmission

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["title"] = _("Periodic reports")
        context["today"] = timezone.localdate()
        context["forms"] = (
            ReportForm.objects.restrict(user, "view")
            .select_related("organization")
            .prefetch_related("rounds")[:100]
        )
        context["to_fill"] = (
            ReportSubmission.objects.restrict(user, "change")
            .filter(status__in=["not_started", "draft", "returned"])
            .select_related("round__form", "organization")
            .order_by("round__due_date")[:100]
        )
        context["can_add"] = permissions.has_permission(
            user, "operations.add_reportform"
        )
        return context


class ReportFormCreateView(LoginRequiredMixin, View):
    def get(self, request, form=None, fields=None):
        from hoso.operations.forms import ReportFieldFormSet, ReportFormForm

        return render(
            request,
            "operations/report_form_edit.html",
            {
                "title": _("New report form"),
                "form": form or ReportFormForm(user=request.user),
                "fields": fields or ReportFieldFormSet(prefix="fields"),
            },
        )

    def post(self, request):
        from hoso.operations import reporting
        from hoso.operations.forms import ReportFieldFormSet, ReportFormForm

        form = ReportFormForm(request.POST, user=request.user)
        fields = ReportFieldFormSet(request.POST, prefix="fields")
        if form.is_valid() and fields.is_valid():
            specs = [f for f in fields.cleaned_data if f.get("code") or f.get("label")]
            try:
                report_form = reporting.create_report_form(
                    acting_user=request.user,
                    organization=form.cleaned_data["organization"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    target_level=form.cleaned_data["target_level"],
                    target_organizations=form.cleaned_data["target_organizations"],
                    fields=specs,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                return redirect(report_form.get_absolute_url())
        return self.get(request, form=form, fields=fields)


class ReportFormDetailView(LoginRequiredMixin, View):
    def get(self, request, pk, open_form=None):
        from hoso.operations.forms import OpenRoundForm
        from hoso.operations.models import ReportForm

        report_form = get_object_or_404(
            ReportForm.objects.restrict(request.user, "view").select_related(
                "organization"
            ),
            pk=pk,
        )
        can_open = permissions.has_permission(
            request.user, "operations.add_reportform", report_form.organization
        )
        return render(
            request,
            "operations/report_form_detail.html",
            {
                "title": report_form.title,
                "report_form": report_form,
                "fields": report_form.fields.select_related("indicator"),
                "rounds": report_form.rounds.all(),
                "open_form": open_form or (OpenRoundForm() if can_open else None),
            },
        )

    def post(self, request, pk):
        from hoso.operations import reporting
        from hoso.operations.forms import OpenRoundForm
        from hoso.operations.models import ReportForm

        report_form = get_object_or_404(
            ReportForm.objects.restrict(request.user, "view"), pk=pk
        )
        form = OpenRoundForm(request.POST)
        if form.is_valid():
            try:
                report_round = reporting.open_round(
                    report_form, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                return redirect(report_round.get_absolute_url())
        return self.get(request, pk, open_form=form)


def _round_in_scope(request, pk):
    from hoso.operations.models import ReportForm, ReportRound

    report_round = get_object_or_404(ReportRound.objects.select_related("form"), pk=pk)
    get_object_or_404(
        ReportForm.objects.restrict(request.user, "view"), pk=report_round.form_id
    )
    return report_round


def _node(request, report_round):
    """The organization whose subtree the round page aggregates: `?node=`
    within the user's scope, else the form's owner or the user's top."""
    from hoso.organizations.models import Organization

    visible = Organization.objects.restrict(request.user, "view")
    if request.GET.get("node"):
        return get_object_or_404(visible, pk=request.GET["node"])
    owner = visible.filter(pk=report_round.form.organization_id).first()
    if owner is not None:
        return owner
    paths = permissions.scope_paths(request.user, "organizations.view_organization")
    node = visible.filter(path__in=paths or []).order_by("depth").first()
    if node is None:
        raise Http404
    return node


class ReportRoundView(LoginRequiredMixin, View):
    """A period: the submissions' statuses and their aggregate up the tree."""

    def get(self, request, pk):
        from hoso.operations import reporting
        from hoso.operations.models import ReportSubmission

        report_round = _round_in_scope(request, pk)
        node = _node(request, report_round)
        rows, total, fields = reporting.rollup_rows(report_round, node, request.user)
        submissions = (
            ReportSubmission.objects.restrict(request.user, "view")
            .filter(round=report_round, org_path__startswith=node.path)
            .select_related("organization")
        )
        for row in rows:
            row["cells"] = [row["values"].get(f.code) for f in fields]
        return render(
            request,
            "operations/report_round.html",
            {
                "title": str(report_round),
                "round": report_round,
                "node": node,
                "rows": rows,
                "fields": fields,
                "total": [total.get(f.code) if f.aggregate else None for f in fields],
                "submissions": submissions,
                "today": timezone.localdate(),
            },
        )


class ReportExportView(LoginRequiredMixin, View):
    def get(self, request, pk, fmt):
        from hoso.operations import reporting

        if fmt not in ("xlsx", "pdf"):
            raise Http404
        report_round = _round_in_scope(request, pk)
        node = _node(request, report_round)
        return reporting.export_round(report_round, node, fmt, user=request.user)


class ReportSubmissionView(LoginRequiredMixin, View):
    """Fill in (draft, submit) or review (accept, return) one report."""

    def _submission(self, request, pk):
        from hoso.operations.models import ReportSubmission

        return get_object_or_404(
            ReportSubmission.objects.restrict(request.user, "view").select_related(
                "round__form__organization", "organization"
            ),
            pk=pk,
        )

    def get(self, request, pk, form=None):
        from hoso.operations import reporting
        from hoso.operations.forms import answers_form

        submission = self._submission(request, pk)
        fillable = (
            submission.status in reporting.FILLABLE
            and ReportSubmission.objects.restrict(request.user, "change")
            .filter(pk=submission.pk)
            .exists()
        )
        initial = {
            k: ("yes" if v is True else "no" if v is False else v)
            for k, v in submission.data.items()
        }
        return render(
            request,
            "operations/report_submission.html",
            {
                "title": str(submission),
                "submission": submission,
                "form": form
                or answers_form(
                    submission.round.form, initial=initial, disabled=not fillable
                ),
                "fillable": fillable,
                "can_review": submission.status == "submitted"
                and reporting._may_review(request.user, submission),
            },
        )

    def post(self, request, pk):
        from hoso.operations import reporting
        from hoso.operations.forms import answers_form

        submission = self._submission(request, pk)
        action = request.POST.get("action", "")
        form = answers_form(submission.round.form, data=request.POST)
        form.is_valid()
        data = {
            f.code: request.POST.get(f.code, "")
            for f in submission.round.form.fields.all()
        }
        try:
            if action == "draft":
                reporting.save_draft(submission, acting_user=request.user, data=data)
                messages.success(request, _("The draft was saved."))
            elif action == "submit":
                reporting.submit_report(submission, acting_user=request.user, data=data)
                messages.success(request, _("The report was submitted."))
            elif action == "accept":
                reporting.accept_report(submission, acting_user=request.user)
                messages.success(request, _("The report was accepted."))
            elif action == "return":
                reporting.return_report(
                    submission,
                    acting_user=request.user,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("The report was returned."))
            else:
                raise Http404
        except ValidationError as exc:
            if action in ("draft", "submit"):
                add_errors(form, exc)
                return self.get(request, pk, form=form)
            for message in _messages_of(exc):
                messages.error(request, message)
        except (PermissionDenied, ReportSubmission.DoesNotExist):
            messages.error(request, _("You may not do this here."))
        return redirect(submission.get_absolute_url())

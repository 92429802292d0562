"""Generic views (defined once, declared in a few lines per model), the home
page and the audit log."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from hoso.core import permissions
from hoso.core.filtersets import AuditEntryFilterSet
from hoso.core.models import AuditAlert, AuditEntry
from hoso.core.pagination import CappedPaginator
from hoso.core.tables import AuditEntryTable


class RestrictedMixin(LoginRequiredMixin):
    """Every queryset of a generic view goes through `restrict()`."""

    model = None
    action = "view"

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, self.action)


class ObjectListView(RestrictedMixin, SingleTableMixin, FilterView):
    """A filtered, paginated table. htmx requests get only the table.

    Only the table paginates (ListView's own pagination would count and
    fetch a second time), with `CappedPaginator`: the count stops at 10,001
    ("more than 10,000") and pages are fetched id first.
    """

    template_name = "generic/object_list.html"
    paginate_by = None
    per_page = 50
    title = ""

    def get_table_pagination(self, table):
        return {"per_page": self.per_page, "paginator_class": CappedPaginator}

    def get_template_names(self):
        if self.request.htmx:
            return ["generic/object_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title or self.model._meta.verbose_name_plural
        context["add_url"] = self.get_add_url()
        if context.get("filter") is not None:
            style_filter_form(context["filter"].form)
        return context

    def get_add_url(self) -> str | None:
        return None


def style_filter_form(form) -> None:
    """Bootstrap classes on filter widgets; dates get the browser's picker."""
    from django import forms

    for field in form.fields.values():
        widget = field.widget
        if isinstance(field, forms.DateField):
            widget.input_type = "date"
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class ObjectDetailView(RestrictedMixin, DetailView):
    """One object, 404 outside the user's scope."""


def add_service_errors(form, exc: ValidationError | PermissionDenied) -> None:
    """Put a service's refusal on the form: on the field it names when the
    form has it, else at the top."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, _("You may not do this here."))
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ObjectEditView(RestrictedMixin, FormView):
    """Create or edit through a service; service errors land on the form.

    Subclasses implement `save(form)` calling the domain service and
    returning the saved object.
    """

    template_name = "generic/object_edit.html"
    object = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and "pk" in kwargs:
            self.object = get_object_or_404(
                self.model.objects.restrict(request.user, "change"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["title"] = (
            _("Edit %(name)s") % {"name": self.object}
            if self.object
            else _("New %(model)s") % {"model": self.model._meta.verbose_name}
        )
        return context

    def form_valid(self, form):
        try:
            saved = self.save(form)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect(saved.get_absolute_url())

    def save(self, form):
        raise NotImplementedError


class HomeView(LoginRequiredMixin, TemplateView):
    """The user's organization and what waits for them."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from hoso.accounts.models import Position
        from hoso.organizations.models import Organization

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["positions"] = (
            Position.objects.current()
            .filter(person__user=user)
            .select_related("organization", "role")
        )
        from hoso.core import waiting

        context["waiting"] = waiting.items_for(user)
        visible = Organization.objects.restrict(user, "view")
        context["organization_count"] = visible.count()
        if permissions.has_permission(user, "core.view_auditentry"):
            context["audit_alerts"] = AuditAlert.objects.filter(resolved=False)[:5]
            context["recent_audit"] = AuditEntry.objects.restrict(
                user, "view"
            ).order_by("-id")[:8]
        return context


class AuditListView(ObjectListView):
    """The audit log, within the user's scope."""

    model = AuditEntry
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    title = gettext_lazy("Audit log")


class AuditDetailView(ObjectDetailView):
    model = AuditEntry
    template_name = "core/auditentry_detail.html"

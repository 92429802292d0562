"""Organization pages: tree browser, list, detail, create and edit."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from hoso.core import permissions
from hoso.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    add_service_errors,
)
from hoso.organizations import restructuring, services
from hoso.organizations.filtersets import OrganizationFilterSet
from hoso.organizations.forms import OrganizationForm, RestructureForm, SplitForm
from hoso.organizations.models import Organization
from hoso.organizations.tables import OrganizationTable


def _with_child_counts(qs):
    return qs.annotate(child_count=Count("children")).order_by("name")


class OrganizationTreeView(LoginRequiredMixin, View):
    """The tree from the top of the user's scope; branches open with htmx."""

    def get(self, request):
        user = request.user
        visible = Organization.objects.restrict(user, "view")
        if user.is_superuser:
            roots = visible.filter(parent__isnull=True)
        else:
            paths = permissions.scope_paths(user, "organizations.view_organization")
            roots = visible.filter(path__in=paths or [])
        return render(
            request,
            "organizations/tree.html",
            {"nodes": _with_child_counts(roots), "title": _("Organization tree")},
        )


class OrganizationChildrenView(LoginRequiredMixin, View):
    """The children of one node, as an htmx fragment."""

    def get(self, request, pk):
        visible = Organization.objects.restrict(request.user, "view")
        parent = get_object_or_404(visible, pk=pk)
        nodes = _with_child_counts(visible.filter(parent=parent))
        return render(request, "organizations/tree_nodes.html", {"nodes": nodes})


class OrganizationListView(ObjectListView):
    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("parent")

    def get_add_url(self):
        if permissions.has_permission(
            self.request.user, "organizations.add_organization"
        ):
            return reverse("organizations:organization-add")
        return None


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    template_name = "organizations/organization_detail.html"

    def get_context_data(self, **kwargs):
        from hoso.accounts.models import Position

        context = super().get_context_data(**kwargs)
        org = self.object
        user = self.request.user
        visible = Organization.objects.restrict(user, "view")
        context["ancestors"] = visible.filter(pk__in=org.ancestor_ids()).order_by(
            "depth"
        )
        context["children"] = _with_child_counts(visible.filter(parent=org))
        context["positions"] = (
            Position.objects.restrict(user, "view")
            .current()
            .filter(organization=org)
            .select_related("person", "role")
        )
        context["descendant_count"] = org.descendants().count()
        context["can_change"] = (
            visible.restrict(user, "change").filter(pk=org.pk).exists()
        )
        context["can_restructure"] = context["can_change"] and not (
            org.successor_id or org.valid_to
        )
        context["can_add"] = permissions.has_permission(
            user, "organizations.add_organization", org
        )
        context["can_add_person"] = permissions.has_permission(
            user, "accounts.add_person", org
        )
        return context


class OrganizationEditView(ObjectEditView):
    model = Organization
    form_class = OrganizationForm

    def get_initial(self):
        initial = super().get_initial()
        if self.object is None and "parent" in self.request.GET:
            initial["parent"] = self.request.GET["parent"]
        return initial

    def save(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if self.object is None:
            return services.create_organization(acting_user=self.request.user, **data)
        changed = {name: data[name] for name in form.changed_data}
        return services.update_organization(
            self.object, acting_user=self.request.user, **changed
        )


class OrganizationRestructureView(ObjectEditView):
    """Merge or dissolve an organization: choose, preview what will be handed
    over, then confirm. The preview comes back as an htmx fragment (or the
    whole page without JavaScript); the confirmation runs the service."""

    model = Organization
    form_class = RestructureForm
    template_name = "organizations/organization_restructure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = gettext("Restructure %(name)s") % {"name": self.object}
        return context

    def _run(self, form, *, preview: bool):
        data = form.cleaned_data
        arguments = {
            "acting_user": self.request.user,
            "effective_date": data["effective_date"],
        }
        if preview:
            return restructuring.preview_merge(
                [self.object], data["target"], action=data["action"], **arguments
            )
        if data["action"] == restructuring.DISSOLVE:
            return restructuring.dissolve_organization(
                self.object, data["target"], **arguments
            )
        return restructuring.merge_organizations(
            [self.object], data["target"], **arguments
        )

    def form_valid(self, form):
        preview = self.request.POST.get("step") != "confirm"
        try:
            result = self._run(form, preview=preview)
        except ValidationError as exc:
            # The dissolution names its successor field; the form has one.
            if hasattr(exc, "error_dict") and "successor" in exc.error_dict:
                exc = ValidationError({"target": exc.message_dict["successor"]})
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if preview:
            return self.render_to_response(
                self.get_context_data(form=form, result=result)
            )
        messages.success(
            self.request,
            gettext("%(source)s now ends; its records were handed over to %(target)s.")
            % {"source": self.object, "target": result.target},
        )
        return redirect(result.target.get_absolute_url())

    def get_template_names(self):
        if self.request.htmx:
            return ["organizations/restructure_preview.html"]
        return [self.template_name]


class OrganizationSplitView(ObjectEditView):
    """Split an organization into new ones: name the parts and what each
    takes, preview the counts, then confirm. As on the restructuring page,
    the preview is an htmx fragment (or the whole page without JavaScript)
    and the confirmation runs the service."""

    model = Organization
    form_class = SplitForm
    template_name = "organizations/organization_split.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = gettext("Split %(name)s") % {"name": self.object}
        return context

    def form_valid(self, form):
        preview = self.request.POST.get("step") != "confirm"
        service = (
            restructuring.preview_split if preview else restructuring.split_organization
        )
        try:
            result = service(
                self.object,
                form.cleaned_data["parts"],
                acting_user=self.request.user,
                effective_date=form.cleaned_data["effective_date"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if preview:
            return self.render_to_response(
                self.get_context_data(form=form, result=result)
            )
        messages.success(
            self.request,
            gettext("%(source)s was split into %(parts)s; %(target)s succeeds it.")
            % {
                "source": self.object,
                "parts": ", ".join(h.target.name for h in result.handovers),
                "target": result.target,
            },
        )
        return redirect(result.target.get_absolute_url())

    def get_template_names(self):
        if self.request.htmx:
            return ["organizations/split_preview.html"]
        return [self.template_name]

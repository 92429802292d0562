"""Organization pages: tree browser, list, detail, create and edit."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from hoso.core import permissions
from hoso.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from hoso.organizations import services
from hoso.organizations.filtersets import OrganizationFilterSet
from hoso.organizations.forms import OrganizationForm
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

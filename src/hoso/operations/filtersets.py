"""One filter definition for the task lists (UI) and the task API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from hoso.operations.choices import TaskStatus
from hoso.operations.models import Task


def filter_tasks(qs, params: dict):
    """status / organization (subtree) / lead / overdue / source / text."""
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("organization"):
        from hoso.organizations.models import Organization

        org = Organization.objects.filter(pk=params["organization"]).first()
        qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
    if params.get("lead"):
        qs = qs.filter(lead_id=params["lead"])
    if params.get("overdue"):
        qs = qs.overdue(timezone.localdate())
    if params.get("source_kind"):
        qs = qs.filter(source_kind=params["source_kind"])
    if params.get("source_id"):
        qs = qs.filter(source_id=params["source_id"])
    if params.get("parent"):
        qs = qs.filter(parent_id=params["parent"])
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    return qs


class TaskFilterIn(Schema):
    status: TaskStatus | None = None
    organization: int | None = None
    lead: int | None = None
    overdue: bool | None = None
    source_kind: str | None = None
    source_id: int | None = None
    parent: int | None = None
    q: str | None = None


class TaskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_params")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TaskStatus.choices, method="filter_params"
    )
    organization = django_filters.NumberFilter(
        label=_("Organization id (and below)"), method="filter_params"
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_params")

    class Meta:
        model = Task
        fields = ["q", "status", "organization", "overdue"]

    def filter_params(self, queryset, name, value):
        return filter_tasks(queryset, {name: value})

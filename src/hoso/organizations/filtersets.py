"""One filter definition for the UI (django-filter) and the API (ninja)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from hoso.organizations.choices import Kind, Level
from hoso.organizations.models import Organization


def filter_organizations(qs, params: dict):
    """Apply parent / level / kind / q / current filters to a queryset."""
    if params.get("parent") is not None:
        qs = qs.filter(parent_id=params["parent"])
    if params.get("level"):
        qs = qs.filter(level=params["level"])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(code__iexact=text)
            | Q(abbreviation__iexact=text)
        )
    return qs


class OrganizationFilterIn(Schema):
    parent: int | None = None
    level: Level | None = None
    kind: Kind | None = None
    q: str | None = None


class OrganizationFilterSet(django_filters.FilterSet):
    """The list page's filters; the same rules as the API's."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    parent = django_filters.NumberFilter(label=_("Parent id"), field_name="parent_id")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)

    class Meta:
        model = Organization
        fields = ["q", "level", "kind", "parent"]

    def filter_text(self, queryset, name, value):
        return filter_organizations(queryset, {"q": value})

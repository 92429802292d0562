"""Filters for the audit log."""

import django_filters
from django.utils.translation import gettext_lazy as _

from hoso.core.models import AuditEntry


class AuditEntryFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="startswith")
    actor_name = django_filters.CharFilter(label=_("Actor"), lookup_expr="iexact")
    object_type = django_filters.CharFilter(label=_("Object type"))
    since = django_filters.DateFilter(
        label=_("From"), field_name="timestamp", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="timestamp", lookup_expr="date__lte"
    )

    class Meta:
        model = AuditEntry
        fields = ["action", "actor_name", "object_type", "since", "until"]

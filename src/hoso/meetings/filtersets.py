"""One filter definition for the meeting list (UI) and the list API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from hoso.meetings.choices import MeetingKind, MeetingStatus
from hoso.meetings.models import Meeting


class MeetingFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title", lookup_expr="icontains", label=_("Title")
    )
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=MeetingStatus.choices, label=_("Status")
    )
    starts_after = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__gte", label=_("From")
    )
    starts_before = django_filters.DateFilter(
        field_name="starts_at", lookup_expr="date__lte", label=_("Until")
    )

    class Meta:
        model = Meeting
        fields = ["q", "kind", "status", "starts_after", "starts_before"]

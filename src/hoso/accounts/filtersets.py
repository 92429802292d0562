"""People filters."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import Person, Position
from hoso.core.choices import Secrecy


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    organization = django_filters.NumberFilter(
        label=_("Organization id"), method="filter_organization"
    )
    clearance = django_filters.ChoiceFilter(
        label=_("Clearance"), choices=Secrecy.choices
    )

    class Meta:
        model = Person
        fields = ["q", "organization", "clearance"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(full_name__icontains=value) | Q(user__username__iexact=value)
        )

    def filter_organization(self, queryset, name, value):
        holders = Position.objects.filter(organization_id=value).values("person_id")
        return queryset.filter(pk__in=holders)

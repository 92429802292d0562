"""One filter definition for the member list page and the list API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from hoso.members.choices import MemberStatus, Sex
from hoso.members.models import Member
from hoso.organizations.models import Organization


def filter_members(qs, params: dict):
    """organization (its subtree) / status / sex / q / exempt / probation_due."""
    if params.get("organization") is not None:
        org = Organization.objects.filter(pk=params["organization"]).first()
        qs = qs.filter(organization__path__startswith=org.path) if org else qs.none()
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    elif params.get("current", True):
        qs = qs.current()
    if params.get("sex"):
        qs = qs.filter(sex=params["sex"])
    if params.get("exempt") is not None:
        qs = qs.filter(exempt_since__isnull=not params["exempt"])
    if params.get("probation_due"):
        from django.utils import timezone

        qs = qs.probation_due(timezone.localdate())
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(
            Q(full_name__icontains=text)
            | Q(card_number=text)
            | Q(biography_number=text.upper())
            | Q(citizen_id=text)
        )
    return qs


class MemberFilterIn(Schema):
    organization: int | None = None
    status: MemberStatus | None = None
    sex: Sex | None = None
    exempt: bool | None = None
    probation_due: bool | None = None
    q: str | None = None


class MemberFilterSet(django_filters.FilterSet):
    """The member list's filters; the same rules as the API's."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_all")
    organization = django_filters.NumberFilter(
        label=_("Organization id"), method="filter_all"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MemberStatus.choices, method="filter_all"
    )
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices)
    probation_due = django_filters.BooleanFilter(
        label=_("Probation over"), method="filter_all"
    )

    class Meta:
        model = Member
        fields = ["q", "status", "sex", "organization", "probation_due"]

    def filter_queryset(self, queryset):
        params = {
            k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")
        }
        return filter_members(queryset, params)

    def filter_all(self, queryset, name, value):  # applied in filter_queryset
        return queryset

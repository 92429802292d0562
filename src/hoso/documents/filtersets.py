"""One filter definition for the document lists (UI) and the list API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from hoso.core.choices import Secrecy
from hoso.documents.choices import Direction, Status, Urgency
from hoso.documents.models import CaseFile, Document

# Sort keys offered to the UI and the API (a leading "-" sorts descending).
SORTABLE = {
    "created",
    "arrival_number",
    "number",
    "symbol",
    "issued_date",
    "due_date",
    "urgency",
    "status",
    "issuer_name",
}


def filter_documents(qs, params: dict):
    """Apply the list filters; every metadata field can filter the list."""
    exact = {
        "direction": "direction",
        "status": "status",
        "doc_type": "doc_type_id",
        "urgency": "urgency",
        "secrecy": "secrecy",
        "organization": "organization_id",
        "register_year": "register_year",
        "arrival_number": "arrival_number",
    }
    for param, field in exact.items():
        if params.get(param) not in (None, ""):
            qs = qs.filter(**{field: params[param]})
    ranges = {
        "issued_from": "issued_date__gte",
        "issued_to": "issued_date__lte",
        "due_from": "due_date__gte",
        "due_to": "due_date__lte",
    }
    for param, lookup in ranges.items():
        if params.get(param):
            qs = qs.filter(**{lookup: params[param]})
    if params.get("symbol"):
        qs = qs.filter(symbol__iexact=params["symbol"].strip())
    if params.get("issuer"):
        qs = qs.filter(issuer_name__icontains=params["issuer"].strip())
    if params.get("signer"):
        qs = qs.filter(signer_name__icontains=params["signer"].strip())
    if params.get("q"):
        text = params["q"].strip()
        qs = qs.filter(
            Q(excerpt__icontains=text)
            | Q(symbol__iexact=text)
            | Q(issuer_name__icontains=text)
        )
    if params.get("overdue"):
        qs = qs.overdue()
    sort = params.get("sort") or "-created"
    if sort.lstrip("-") in SORTABLE:
        qs = qs.order_by(sort, "-id" if sort.startswith("-") else "id")
    return qs


class DocumentFilterIn(Schema):
    direction: Direction | None = None
    status: Status | None = None
    doc_type: int | None = None
    urgency: Urgency | None = None
    secrecy: Secrecy | None = None
    organization: int | None = None
    register_year: int | None = None
    arrival_number: int | None = None
    symbol: str | None = None
    issuer: str | None = None
    signer: str | None = None
    q: str | None = None
    issued_from: str | None = None
    issued_to: str | None = None
    due_from: str | None = None
    due_to: str | None = None
    overdue: bool | None = None
    sort: str | None = None


class DocumentFilterSet(django_filters.FilterSet):
    """The register pages' filters (same rules as the API's)."""

    q = django_filters.CharFilter(label=_("Search"), method="apply")
    symbol = django_filters.CharFilter(label=_("Number and symbol"), method="apply")
    issuer = django_filters.CharFilter(label=_("Issuing body"), method="apply")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, method="apply"
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Urgency.choices, method="apply"
    )
    secrecy = django_filters.ChoiceFilter(
        label=_("Secrecy"), choices=Secrecy.choices, method="apply"
    )
    issued_from = django_filters.DateFilter(
        label=_("Dated from"),
        method="apply",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    issued_to = django_filters.DateFilter(
        label=_("Dated to"),
        method="apply",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="apply")

    class Meta:
        model = Document
        fields = []

    def apply(self, queryset, name, value):
        return filter_documents(queryset, {name: value})


class CaseFileFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    year = django_filters.NumberFilter(label=_("Year"))
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("open", _("Open")),
            ("closed", _("Closed")),
            ("transferred", _("Transferred")),
        ],
        method="filter_state",
    )
    due = django_filters.BooleanFilter(label=_("Due for transfer"), method="filter_due")

    class Meta:
        model = CaseFile
        fields = ["q", "year", "state", "due"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(closed_on__isnull=True)
        if value == "closed":
            return queryset.filter(closed_on__isnull=False, transferred_on__isnull=True)
        return queryset.filter(transferred_on__isnull=False)

    def filter_due(self, queryset, name, value):
        import datetime

        from django.utils import timezone

        if not value:
            return queryset
        return queryset.filter(
            transferred_on__isnull=True,
            archive_due__lte=timezone.localdate() + datetime.timedelta(days=30),
        )

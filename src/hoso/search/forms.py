"""The search form: the same parameters for the results page and the API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hoso.documents.choices import Direction, Status
from hoso.organizations.models import Organization
from hoso.search.service import SearchFilters


def organization_path(user, organization_id: int) -> str:
    """The subtree path of an organization the user may see; raises
    Organization.DoesNotExist otherwise (a 404 to the caller)."""
    return (
        Organization.objects.restrict(user, "view")
        .values_list("path", flat=True)
        .get(pk=organization_id)
    )


class SearchForm(forms.Form):
    """Query and filters of a search (all optional but the query)."""

    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    type = forms.CharField(label=_("document type"), max_length=8, required=False)
    issuer = forms.CharField(label=_("issuing body"), max_length=255, required=False)
    status = forms.ChoiceField(
        label=_("status"), choices=[("", "")] + Status.choices, required=False
    )
    direction = forms.ChoiceField(
        label=_("register"), choices=[("", "")] + Direction.choices, required=False
    )
    year = forms.IntegerField(
        label=_("year"), min_value=1900, max_value=2999, required=False
    )
    date_from = forms.DateField(label=_("from"), required=False)
    date_to = forms.DateField(label=_("to"), required=False)
    organization = forms.IntegerField(
        label=_("organization"), min_value=1, required=False
    )
    page = forms.IntegerField(min_value=1, required=False)

    def filters(self, user) -> SearchFilters:
        """The cleaned filters; an organization outside the user's scope
        raises Organization.DoesNotExist."""
        data = self.cleaned_data
        org_path = ""
        if data.get("organization"):
            org_path = organization_path(user, data["organization"])
        return SearchFilters(
            doc_type=data.get("type") or "",
            issuer=data.get("issuer") or "",
            status=data.get("status") or "",
            direction=data.get("direction") or "",
            year=data.get("year"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            org_path=org_path,
        )

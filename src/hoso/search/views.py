"""The search results page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from hoso.documents.choices import Direction, Status
from hoso.documents.models import DocumentType
from hoso.organizations.models import Organization
from hoso.search import service
from hoso.search.forms import SearchForm

PAGE_SIZE = 20
# Facet name → the query parameter that filters on it.
FACET_PARAMS = {"doc_type": "type", "status": "status", "year": "year",
                "direction": "direction"}  # fmt: skip


def _link(params: dict, **changes) -> str:
    """`?…` with some parameters changed (None removes one); back to page 1
    unless a page is given."""
    merged = {**params, "page": None, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def _facet_groups(result, params: dict) -> list[dict]:
    """Facets with labels and links that add (or, when active, remove) the
    filter."""
    type_names = dict(
        DocumentType.objects.filter(
            code__in=[key for key, _n in result.facets.get("doc_type", [])]
        ).values_list("code", "name")
    )
    labels = {
        "doc_type": (_("Document type"), lambda key: type_names.get(key, key)),
        "status": (_("Status"), lambda key: Status(key).label if key in Status.values
                   else key),
        "year": (_("Year"), str),
        "direction": (_("Register"), lambda key: Direction(key).label
                      if key in Direction.values else key),
    }  # fmt: skip
    groups = []
    for name, buckets in result.facets.items():
        if not buckets:
            continue
        title, label = labels[name]
        param = FACET_PARAMS[name]
        items = []
        for key, count in buckets:
            active = str(params.get(param, "")) == str(key)
            items.append(
                {
                    "label": label(key),
                    "count": count,
                    "active": active,
                    "url": _link(params, **{param: None if active else key}),
                }
            )
        groups.append({"title": title, "items": items})
    return groups


@login_required
def results(request):
    """Search results: hits with highlighted snippets, facets, pages and
    "did you mean", over what the user may see."""
    form = SearchForm(request.GET or None)
    result = None
    params: dict = {}
    if form.is_valid():
        params = {k: v for k, v in request.GET.items() if v and k in form.fields}
        try:
            filters = form.filters(request.user)
        except Organization.DoesNotExist as error:
            raise Http404 from error
        result = service.search(
            request.user,
            form.cleaned_data["q"],
            filters=filters,
            page=form.cleaned_data.get("page") or 1,
            page_size=PAGE_SIZE,
        )
    context = {
        "title": _("Search"),
        "form": form,
        "result": result,
        "query": request.GET.get("q", ""),
        "facet_groups": _facet_groups(result, params) if result else [],
        "active_filters": [
            {
                "name": form.fields[key].label,
                "value": value,
                "url": _link(params, **{key: None}),
            }
            for key, value in params.items()
            if key not in ("q", "page")
        ],  # fmt: skip
    }
    if result and result.total:
        page = result.page
        context["previous_url"] = (
            _link(params, page=page - 1 if page > 2 else None) if page > 1 else None
        )
        context["next_url"] = (
            _link(params, page=page + 1) if page < result.pages else None
        )
        context["first_number"] = (result.page - 1) * result.page_size + 1
    if result and result.suggestion:
        context["suggestion_url"] = _link(params, q=result.suggestion)
    return render(request, "search/results.html", context)

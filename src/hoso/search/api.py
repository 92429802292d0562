"""Search API: `GET /api/v1/search?q=…` over the documents the caller may see."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import BaseModel, Field

from hoso.documents.choices import Direction, Status
from hoso.search import service
from hoso.search.forms import organization_path

router = Router(tags=["search"])


class SearchIn(Schema):
    q: str = Field("", max_length=500, description='Words, "phrases", symbols.')
    type: str = Field("", max_length=8, description="Document type code (NQ, CV…).")
    issuer: str = Field("", max_length=255, description="Issuing body, exactly.")
    status: Status | None = None
    direction: Direction | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    date_from: date | None = None
    date_to: date | None = None
    organization: int | None = Field(None, description="Organization subtree.")
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=100)


# The answer's schemas are plain pydantic models: ninja's Schema wraps every
# nested value for attribute access (made for ORM objects), which costs
# milliseconds on a page of 20 hits; the view returns plain dicts.
class SearchHitOut(BaseModel):
    id: int
    score: float
    symbol: str
    excerpt: str
    doc_type_code: str
    issuer_name: str
    issued_date: date | None
    status: Status
    direction: Direction
    organization: int
    organization_name: str
    url: str
    snippet_html: str = Field(description="HTML-escaped text, matches in <mark>.")


class FacetBucketOut(BaseModel):
    key: str | int
    count: int


class SearchOut(BaseModel):
    query: str
    total: int
    page: int
    page_size: int
    pages: int
    suggestion: str = Field(description="Did you mean (with marks), or empty.")
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetBucketOut]]


# Reversing a URL costs a fraction of a millisecond: once per page, then
# the id is put in its place.
_ID_PLACEHOLDER = 999_999_999


def _hit(hit: service.SearchHit, url_template: str) -> dict:
    document = hit.document
    return {
        "id": hit.id,
        "score": hit.score,
        "symbol": document.symbol,
        "excerpt": document.excerpt,
        "doc_type_code": document.doc_type.code,
        "issuer_name": document.issuer_name,
        "issued_date": document.issued_date,
        "status": document.status,
        "direction": document.direction,
        "organization": document.organization_id,
        "organization_name": document.organization.name,
        "url": url_template.replace(str(_ID_PLACEHOLDER), str(hit.id)),
        "snippet_html": hit.snippet_html,
    }


@router.get("/search", response=SearchOut, url_name="search")
def search(request, params: Query[SearchIn]):
    """Full-text search with filters, facets and highlighted snippets, over
    what the caller may see (organization scope and clearance)."""
    org_path = ""
    if params.organization:
        # Outside the caller's scope: DoesNotExist, answered 404.
        org_path = organization_path(request.user, params.organization)
    filters = service.SearchFilters(
        doc_type=params.type,
        issuer=params.issuer,
        status=params.status or "",
        direction=params.direction or "",
        year=params.year,
        date_from=params.date_from,
        date_to=params.date_to,
        org_path=org_path,
    )
    result = service.search(
        request.user,
        params.q,
        filters=filters,
        page=params.page,
        page_size=params.page_size,
    )
    url_template = reverse("documents:document", args=[_ID_PLACEHOLDER])
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "suggestion": result.suggestion,
        "hits": [_hit(hit, url_template) for hit in result.hits],
        "facets": {
            name: [{"key": key, "count": count} for key, count in buckets]
            for name, buckets in result.facets.items()
        },
    }

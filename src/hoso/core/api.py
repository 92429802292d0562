"""The API shell: authentication, error format, and the audit endpoints."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import FilterSchema, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, SessionAuth
from pydantic import Field

from hoso.core import pagination as pagination_module
from hoso.core.models import AuditEntry
from hoso.core.pagination import COUNT_CAP, capped_count, page_ids, rows_by_ids

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hoso_…` with a personal API token.

    A token with only the `read` scope may call GET; writes need `write`.
    """

    def authenticate(self, request, token: str):
        from hoso.accounts.services import authenticate_token

        api_token = authenticate_token(token)
        if api_token is None:
            return None
        needed = "read" if request.method in READ_METHODS else "write"
        if needed not in api_token.scopes and "write" not in api_token.scopes:
            raise HttpError(403, _("This token does not have the %s scope.") % needed)
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class VerifiedSessionAuth(SessionAuth):
    """The browser session (CSRF-checked for writes). The second-factor
    middleware has already refused unverified sessions of cleared users."""


def _field_name(loc) -> str:
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path", "payload", "form", "file")
    ]
    return ".".join(parts) or "__all__"


def error_response(api: NinjaAPI, request, errors: list[dict], status: int):
    """Every API error is JSON: {"detail": [{"field": …, "message": …}]}."""
    return api.create_response(request, {"detail": errors}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Map exceptions to JSON errors naming the field and the reason."""

    @api.exception_handler(NinjaValidationError)
    def schema_error(request, exc):
        errors = [
            {"field": _field_name(error.get("loc", ())), "message": error.get("msg")}
            for error in exc.errors
        ]
        return error_response(api, request, errors, 422)

    @api.exception_handler(DjangoValidationError)
    def model_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "message": message}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            errors = [{"field": "__all__", "message": m} for m in exc.messages]
        return error_response(api, request, errors, 422)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(
            api, request, [{"field": "__all__", "message": _("Not found.")}], 404
        )

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return not_found(request, exc)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error_response(
            api,
            request,
            [{"field": "__all__", "message": _("You may not do this here.")}],
            403,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(
            api,
            request,
            [{"field": "__all__", "message": _("Sign in or send a valid API token.")}],
            401,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error_response(
            api, request, [{"field": "__all__", "message": str(exc)}], exc.status_code
        )


# Pagination ------------------------------------------------------------------


class ListPagination(PageNumberPagination):
    """`?page=&page_size=` with a capped count, for lists that grow to
    millions of rows.

    The answer is `{"items": [...], "count": n, "count_capped": bool}`.
    `count` is exact up to 10,000; above that it is 10,001 and
    `count_capped` is true ("more than 10,000"). The page's ids are read
    first (an index-only scan where an index covers the filters), then only
    those rows are fetched, with the queryset's select_related and
    annotations.
    """

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description=f"Exact up to {COUNT_CAP:,}; {COUNT_CAP + 1:,} when "
            f"there are more (see count_capped)."
        )
        count_capped: bool = Field(
            description=f"True when there are more than {COUNT_CAP:,} items."
        )

    @classmethod
    def output_schema(cls, item_schema) -> type[Schema]:
        """The page schema for `item_schema` (`Paged<Item>`), for endpoints
        that build their answer themselves but document the same shape."""
        return type(
            f"Paged{item_schema.__name__}",
            (cls.Output,),
            {"__annotations__": {"items": list[item_schema]}},
        )

    def page_size_for(self, pagination) -> int:
        """The page size asked for, within the configured maximum."""
        return self._get_page_size(pagination.page_size)

    def page_of(self, queryset, pagination) -> tuple[list, int, bool]:
        """(ids of the requested page, count, capped)."""
        size = self.page_size_for(pagination)
        ids = page_ids(queryset, (pagination.page - 1) * size, size)
        count, capped = capped_count(queryset)
        return ids, count, capped

    def paginate_queryset(self, queryset, pagination, request, **params):
        if not isinstance(queryset, QuerySet):  # a list: slice it
            size = self.page_size_for(pagination)
            offset = (pagination.page - 1) * size
            cap = pagination_module.COUNT_CAP
            return {
                "items": list(queryset[offset : offset + size]),
                "count": min(len(queryset), cap + 1),
                "count_capped": len(queryset) > cap,
            }
        ids, count, capped = self.page_of(queryset, pagination)
        return {
            "items": rows_by_ids(queryset, ids),
            "count": count,
            "count_capped": capped,
        }


# Audit log -------------------------------------------------------------------

router = Router(tags=["audit"])


class AuditEntryOut(Schema):
    id: int
    timestamp: datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    organization_id: int | None
    client_ip: str | None
    changes: dict
    hash: str


class AuditFilter(FilterSchema):
    action: str | None = None
    object_type: str | None = None
    actor_id: int | None = None


@router.get("/audit", response=list[AuditEntryOut])
@paginate(ListPagination)
def list_audit(request, filters: Query[AuditFilter]):
    """Audit entries within the caller's scope, newest first."""
    return filters.filter(AuditEntry.objects.restrict(request.user, "view"))

"""The API shell: authentication, error format, and the audit endpoints."""

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import FilterSchema, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer, SessionAuth

from hoso.core.models import AuditEntry

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
@paginate(PageNumberPagination)
def list_audit(request, filters: Query[AuditFilter]):
    """Audit entries within the caller's scope, newest first."""
    return filters.filter(AuditEntry.objects.restrict(request.user, "view"))

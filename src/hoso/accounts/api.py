"""People, positions, roles and tokens API."""

from datetime import date, datetime

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.accounts import services
from hoso.accounts.models import ApiToken, Person, Position, Role
from hoso.core.choices import Secrecy

router = Router(tags=["people"])


class PositionOut(Schema):
    id: int
    person: int = Field(alias="person_id")
    organization: int = Field(alias="organization_id")
    role: str = Field(alias="role.code")
    title: str
    start_date: date
    end_date: date | None


class PersonOut(Schema):
    id: int
    username: str = Field(alias="user.username")
    full_name: str
    email: str
    phone: str
    clearance: Secrecy
    positions: list[PositionOut]

    @staticmethod
    def resolve_positions(obj):
        return list(obj.positions.all())


class PersonFilterIn(Schema):
    q: str | None = None
    organization: int | None = None


class RoleOut(Schema):
    code: str
    name: str
    permissions: list[str]


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = ["read"]
    expires_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created: datetime
    expires: datetime | None
    last_used: datetime | None
    revoked: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


def _people(request, queryset=None):
    if queryset is None:
        queryset = Person.objects.restrict(request.user, "view")
    return queryset.select_related("user").prefetch_related(
        Prefetch("positions", queryset=Position.objects.select_related("role"))
    )


@router.get("/people", response=list[PersonOut])
@paginate(PageNumberPagination)
def list_people(request, filters: Query[PersonFilterIn]):
    """People in the caller's scope with their positions."""
    qs = _people(request)
    if filters.q:
        qs = qs.filter(
            Q(full_name__icontains=filters.q) | Q(user__username__iexact=filters.q)
        )
    if filters.organization is not None:
        qs = qs.filter(
            pk__in=Position.objects.filter(organization_id=filters.organization).values(
                "person_id"
            )
        )
    return qs


@router.get("/people/me", response=PersonOut)
def get_me(request):
    """The caller's own person record (always visible to its owner)."""
    return get_object_or_404(_people(request, Person.objects.all()), user=request.user)


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request, person_id: int):
    """One person (404 outside the caller's scope)."""
    return get_object_or_404(_people(request), pk=person_id)


@router.get("/positions", response=list[PositionOut])
@paginate(PageNumberPagination)
def list_positions(request, organization: int | None = None, current: bool = True):
    """Positions in the caller's scope."""
    qs = Position.objects.restrict(request.user, "view").select_related("role")
    if current:
        qs = qs.current()
    if organization is not None:
        qs = qs.filter(organization_id=organization)
    return qs


@router.get("/roles", response=list[RoleOut])
def list_roles(request):
    """The roles and the permission patterns each grants."""
    return Role.objects.all()


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request):
    """The caller's own API tokens (never their secrets)."""
    return ApiToken.objects.filter(user=request.user)


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request, payload: TokenIn):
    """Create a token; the plaintext is in the answer once and never again."""
    token, plaintext = services.create_token(
        request.user,
        name=payload.name,
        scopes=payload.scopes,
        expires_days=payload.expires_days,
    )
    token.token = plaintext
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request, token_id: int):
    """Revoke one of the caller's tokens."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return services.revoke_token(token, acting_user=request.user)

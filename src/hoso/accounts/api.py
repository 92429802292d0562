"""People, positions, roles and tokens API."""

from datetime import date, datetime

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
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


class PersonIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str | None = Field(None, max_length=128)
    full_name: str = Field(min_length=1, max_length=150)
    citizen_id: str | None = Field(None, max_length=12)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    clearance: Secrecy = Secrecy.NONE
    organization: int
    role: str
    title: str = Field("", max_length=150)


class PersonPatch(Schema):
    full_name: str | None = Field(None, min_length=1, max_length=150)
    citizen_id: str | None = Field(None, max_length=12)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    clearance: Secrecy | None = None


class PositionIn(Schema):
    person: int
    organization: int
    role: str
    title: str = Field("", max_length=150)
    start_date: date | None = None
    end_date: date | None = None


class PositionEndIn(Schema):
    end_date: date | None = None


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


@router.get("/people/{int:person_id}", response=PersonOut)
def get_person(request, person_id: int):
    """One person (404 outside the caller's scope)."""
    return get_object_or_404(_people(request), pk=person_id)


def _organization(request, organization_id: int, action: str = "view"):
    from hoso.organizations.models import Organization

    return get_object_or_404(
        Organization.objects.restrict(request.user, action), pk=organization_id
    )


def _role(code: str) -> Role:
    role = Role.objects.filter(code=code).first()
    if role is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"role": _("Unknown role.")})
    return role


@router.post("/people", response={201: PersonOut})
def create_person(request, payload: PersonIn):
    """Create a person with a login and their first position."""
    data = payload.model_dump()
    organization = _organization(request, data.pop("organization"))
    role = _role(data.pop("role"))
    person = services.create_person(
        acting_user=request.user, organization=organization, role=role, **data
    )
    return Status(201, _people(request, Person.objects.all()).get(pk=person.pk))


@router.patch("/people/{int:person_id}", response=PersonOut)
def update_person(request, person_id: int, payload: PersonPatch):
    """Change a person's record (clearance at most the caller's own)."""
    person = get_object_or_404(
        Person.objects.restrict(request.user, "change"), pk=person_id
    )
    services.update_person(
        person, acting_user=request.user, **payload.model_dump(exclude_unset=True)
    )
    return _people(request).get(pk=person.pk)


@router.post("/positions", response={201: PositionOut})
def create_position(request, payload: PositionIn):
    """Give a person (in the caller's scope) a role in an organization."""
    data = payload.model_dump(exclude_none=True)
    person = get_object_or_404(
        Person.objects.restrict(request.user, "view"), pk=data.pop("person")
    )
    organization = _organization(request, data.pop("organization"))
    role = _role(data.pop("role"))
    position = services.assign_position(
        person=person,
        organization=organization,
        role=role,
        acting_user=request.user,
        **data,
    )
    return Status(201, position)


@router.post("/positions/{int:position_id}/end", response=PositionOut)
def end_position(request, position_id: int, payload: PositionEndIn):
    """Close a position (today by default)."""
    position = get_object_or_404(
        Position.objects.restrict(request.user, "change").select_related(
            "organization", "role"
        ),
        pk=position_id,
    )
    return services.end_position(
        position, acting_user=request.user, end_date=payload.end_date
    )


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


@router.post("/tokens/{int:token_id}/revoke", response=TokenOut)
def revoke_token(request, token_id: int):
    """Revoke one of the caller's tokens."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return services.revoke_token(token, acting_user=request.user)

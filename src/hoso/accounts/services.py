"""Services for people, positions, second factors and API tokens.

Every change goes through here: it checks the permission, runs in a
transaction and writes the audit entry.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from hoso.accounts import tokens
from hoso.accounts.models import ApiToken, Person, Position, Role
from hoso.core import audit, permissions

SESSION_POSITION_KEY = "hoso_position_id"


# Second factor -------------------------------------------------------------


def has_confirmed_device(user) -> bool:
    """Whether the user has enrolled (and confirmed) a TOTP device."""
    return any(True for _d in devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    """Cleared users must use a second factor; so must anyone who enrolled."""
    return permissions.clearance_of(user) > 0 or has_confirmed_device(user)


def second_factor_step(user) -> str | None:
    """Where a signed-in, unverified user must go next (None: nowhere)."""
    if has_confirmed_device(user):
        return reverse("accounts:otp-verify")
    if permissions.clearance_of(user) > 0:
        return reverse("accounts:otp-setup")
    return None


def start_totp_enrolment(user) -> TOTPDevice:
    """Create (or reuse) the user's unconfirmed TOTP device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Hoso", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(user, token: str) -> TOTPDevice:
    """Confirm the pending device with a code from the authenticator app."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise ValidationError({"token": _("The code is not valid. Try the next one.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    audit.record(
        "auth.totp_enrolled",
        actor=user,
        object_type="auth.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
    )
    return device


# Current position ----------------------------------------------------------


def current_position(request) -> Position | None:
    """The position the user acts in: the one chosen in this session if it is
    still current, else their first current position."""
    if hasattr(request, "_hoso_position"):
        return request._hoso_position
    position = None
    user = request.user
    if user.is_authenticated:
        positions = (
            Position.objects.current()
            .filter(person__user=user)
            .select_related("organization", "role")
            .order_by("role__rank", "organization__path")
        )
        chosen = request.session.get(SESSION_POSITION_KEY)
        if chosen:
            position = positions.filter(pk=chosen).first()
        if position is None:
            position = positions.first()
    request._hoso_position = position
    return position


def choose_position(request, position_id: int) -> Position:
    """Make one of the user's current positions the one they act in."""
    position = (
        Position.objects.current()
        .filter(person__user=request.user, pk=position_id)
        .select_related("organization", "role")
        .first()
    )
    if position is None:
        raise ValidationError({"position": _("This is not one of your positions.")})
    request.session[SESSION_POSITION_KEY] = position.pk
    request._hoso_position = position
    return position


# People and positions -------------------------------------------------------


PERSON_FIELDS = ["full_name", "citizen_id", "phone", "email", "clearance"]


def _check_clearance(acting_user, clearance: int) -> None:
    """Nobody grants a clearance above their own (superusers excepted)."""
    if acting_user.is_superuser:
        return
    if int(clearance or 0) > permissions.clearance_of(acting_user):
        raise ValidationError(
            {"clearance": _("You cannot grant a clearance above your own.")}
        )


def _check_role_grantable(acting_user, role: Role, organization) -> None:
    """A user may assign only roles ranked at or below their own most senior
    role over that organization (lower rank = more senior), so a secretary
    cannot create an administrator."""
    if acting_user.is_superuser:
        return
    ranks = (
        Position.objects.current()
        .filter(
            person__user=acting_user,
            organization__path__in=[
                organization.path[: index + 1]
                for index, char in enumerate(organization.path)
                if char == "/"
            ],
        )
        .values_list("role__rank", flat=True)
    )
    if not ranks or min(ranks) > role.rank:
        raise ValidationError(
            {"role": _("You cannot assign a role more senior than your own.")}
        )


@transaction.atomic
def create_person(
    *,
    acting_user,
    organization,
    role: Role,
    username: str,
    password: str | None = None,
    title: str = "",
    **fields,
) -> Person:
    """Create a login user, their person record and their first position.

    GIVEN a user with `accounts.add_person` at `organization`
    WHEN they create a person there with a role no more senior than their own
    THEN the user, person and position exist together (or nothing does) and
    the creation is audited.
    """
    if not permissions.has_permission(acting_user, "accounts.add_person", organization):
        raise PermissionDenied
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    _check_clearance(acting_user, fields.get("clearance", 0))
    _check_role_grantable(acting_user, role, organization)
    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("This field is required.")})
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = user_model(username=username, email=fields.get("email", ""))
    user.full_clean(exclude=["password"])
    if password:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person = Person(user=user, **fields)
    person.full_clean()
    person.save()
    position = Position(
        person=person, organization=organization, role=role, title=title
    )
    position.full_clean()
    position.save()
    audit.record(
        "accounts.person_created",
        obj=person,
        actor=acting_user,
        organization=organization,
        changes={
            **audit.diff({}, audit.snapshot(person, PERSON_FIELDS)),
            "username": [None, username],
            "role": [None, role.code],
        },
    )
    return person


@transaction.atomic
def update_person(person: Person, *, acting_user, **fields) -> Person:
    """Change a person's record (audited). Clearance changes need the
    `accounts.change_person` permission like any other field."""
    if not Person.objects.restrict(acting_user, "change").filter(pk=person.pk).exists():
        raise PermissionDenied
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in fields.items():
        if name not in PERSON_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(person, name, value)
    if "clearance" in fields and fields["clearance"] != before["clearance"]:
        _check_clearance(acting_user, fields["clearance"])
    person.full_clean()
    person.save()
    audit.record(
        "accounts.person_updated",
        obj=person,
        actor=acting_user,
        organization=_home_organization(person),
        changes=audit.diff(before, audit.snapshot(person, PERSON_FIELDS)),
    )
    return person


def _home_organization(person: Person):
    position = person.positions.select_related("organization").first()
    return position.organization if position else None


@transaction.atomic
def assign_position(
    *, person: Person, organization, role: Role, acting_user, **fields
) -> Position:
    """Give a person a role in an organization (audited)."""
    if not permissions.has_permission(
        acting_user, "accounts.add_position", organization
    ):
        raise PermissionDenied
    _check_role_grantable(acting_user, role, organization)
    position = Position(person=person, organization=organization, role=role, **fields)
    position.full_clean()
    position.save()
    audit.record(
        "accounts.position_assigned",
        obj=position,
        actor=acting_user,
        changes=audit.diff({}, audit.snapshot(position)),
    )
    permissions.forget_grants(person.user)
    return position


@transaction.atomic
def end_position(position: Position, *, acting_user, end_date=None) -> Position:
    """Close a position on a day (today by default), audited."""
    if not permissions.has_permission(
        acting_user, "accounts.change_position", position.organization
    ):
        raise PermissionDenied
    before = audit.snapshot(position)
    position.end_date = end_date or timezone.localdate()
    position.full_clean()
    position.save(update_fields=["end_date", "updated"])
    audit.record(
        "accounts.position_ended",
        obj=position,
        actor=acting_user,
        changes=audit.diff(before, audit.snapshot(position)),
    )
    return position


# API tokens ------------------------------------------------------------------


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def create_token(
    user, *, name: str, scopes: list[str], expires_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns it and its plaintext (shown once)."""
    unknown = [scope for scope in scopes if scope not in ApiToken.SCOPES]
    if not scopes or unknown:
        raise ValidationError(
            {
                "scopes": _("Choose scopes among: %(scopes)s.")
                % {"scopes": ", ".join(ApiToken.SCOPES)}
            }
        )
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    prefix = secrets.token_hex(6)
    plaintext = f"hoso_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=prefix,
        digest=_digest(plaintext),
        scopes=sorted(set(scopes)),
        expires=(timezone.now() + timedelta(days=expires_days))
        if expires_days
        else None,
    )
    audit.record(
        "accounts.token_created",
        obj=token,
        actor=user,
        changes={"name": [None, token.name], "scopes": [None, token.scopes]},
    )
    return token, plaintext


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user) -> ApiToken:
    """Revoke a token (its owner or a superuser)."""
    if token.user_id != acting_user.pk and not acting_user.is_superuser:
        raise PermissionDenied
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit.record("accounts.token_revoked", obj=token, actor=acting_user)
    return token


def authenticate_token(plaintext: str) -> ApiToken | None:
    """The active token matching `plaintext`, or None."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != "hoso":
        return None
    # The user, the person (restrict() needs the clearance) and the user's
    # current grants come along in the same statement, read afresh.
    token = tokens.find_token(parts[1])
    if token is None:
        return None
    if not hmac.compare_digest(token.digest, _digest(plaintext)):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token

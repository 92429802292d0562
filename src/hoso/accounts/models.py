"""People, their positions in organizations, roles, and API tokens."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core.choices import Secrecy
from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet

citizen_id_validator = RegexValidator(
    r"^\d{12}$", _("A citizen ID has exactly 12 digits.")
)
phone_validator = RegexValidator(
    r"^\+?[0-9 .-]{8,20}$", _("Enter a phone number of 8 to 20 digits.")
)


class Role(BaseModel):
    """A role a position carries, with the permission patterns it grants.

    Roles are data: administrators edit them, and each capability's migration
    extends the defaults. Patterns follow `<app>.<action>_<model>` and may use
    shell wildcards (`organizations.*`, `*.view_*`, `*`).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=100, help_text=_("Lower ranks are listed first.")
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return str(_(self.name))

    def clean(self) -> None:
        super().clean()
        if not isinstance(self.permissions, list) or not all(
            isinstance(item, str) and item for item in self.permissions
        ):
            raise ValidationError(
                {"permissions": _("Permissions must be a list of patterns.")}
            )


class Person(BaseModel):
    """The person behind a login: identity, contact and security clearance."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="person",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    citizen_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[citizen_id_validator],
    )
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Secrecy.choices, default=Secrecy.NONE
    )

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:person", args=[self.pk])

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """People holding a position under any of `paths` (one subquery, no
        fan-out join), plus the user's own record."""
        org_q = Q(pk__in=[])
        for path in paths:
            org_q |= Q(organization__path__startswith=path)
        holders = Position.objects.filter(org_q).values("person_id")
        return Q(pk__in=holders) | Q(user_id=user.pk)


class PositionQuerySet(RestrictedQuerySet):
    """Positions, with a scope for the ones held on a given day."""

    def current(self, on: date | None = None) -> PositionQuerySet:
        """Positions held on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on)
        )


class Position(BaseModel):
    """A person holding a role in an organization over a period."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="positions",
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(
        _("title"),
        max_length=150,
        blank=True,
        help_text=_("As written on documents, e.g. Bí thư Đảng ủy xã."),
    )
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    scope_path_field = "organization__path"
    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "role__rank"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        indexes = [models.Index(fields=["person", "end_date"])]

    def __str__(self) -> str:
        return f"{self.role} — {self.organization}"

    def clean(self) -> None:
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start.")})

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (
            self.end_date is None or self.end_date >= today
        )


class ApiToken(models.Model):
    """A personal API token: stored as a SHA-256 digest, scoped, revocable.

    The plaintext (`hoso_<prefix>_<secret>`) is shown once at creation.
    """

    SCOPES = ("read", "write")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (hoso_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None and (
            self.expires is None or self.expires > timezone.now()
        )

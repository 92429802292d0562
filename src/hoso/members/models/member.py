"""The member record (mẫu 2-HSĐV), its timeline, transfers and checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.members.choices import (
    CURRENT_STATUSES,
    CitizenCheckStatus,
    DisciplineForm,
    DuesCategory,
    EventKind,
    MemberStatus,
    ServiceBackground,
    Sex,
    TemporaryPurpose,
    TransferKind,
    TransferStatus,
)
from hoso.members.querysets import MemberQuerySet, TransferQuerySet

# Fields shown only to roles holding `members.view_sensitive_member`
# (and never in the public card check).
SENSITIVE_FIELDS = (
    "citizen_id",
    "date_of_birth",
    "place_of_birth",
    "religion",
    "residence",
    "insured_salary",
    "phone",
)

# The fields of the 2-HSĐV form a complete digital record must carry.
REQUIRED_PROFILE_FIELDS = (
    "full_name",
    "date_of_birth",
    "place_of_birth",
    "sex",
    "ethnicity",
    "hometown",
    "residence",
    "citizen_id",
    "education_general",
    "occupation",
    "admission_date",
    "biography_number",
)


class Member(BaseModel):
    """A party member's record, kept by their cell.

    `organization` is the one organization the member is counted in (their
    cell, or a grassroots organization without cells). A temporary transfer
    never changes it; an official transfer changes it when the target
    receives the member.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    person = models.OneToOneField(
        "accounts.Person",
        verbose_name=_("sign-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MemberStatus.choices,
        default=MemberStatus.PROBATIONARY,
    )
    # Identity (2-HSĐV part 1).
    full_name = models.CharField(_("name in use"), max_length=150)
    birth_name = models.CharField(_("birth name"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    place_of_birth = models.CharField(_("place of birth"), max_length=255, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=64, default="Kinh")
    religion = models.CharField(_("religion"), max_length=64, blank=True)
    hometown = models.CharField(_("hometown"), max_length=255, blank=True)
    residence = models.CharField(_("residence"), max_length=255, blank=True)
    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, null=True, blank=True, unique=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Education.
    education_general = models.CharField(
        _("general education"), max_length=32, blank=True
    )
    political_theory = models.CharField(
        _("political theory"), max_length=64, blank=True
    )
    professional = models.CharField(
        _("professional qualification"), max_length=128, blank=True
    )
    languages = models.CharField(_("languages"), max_length=128, blank=True)
    occupation_before = models.CharField(
        _("occupation before joining"), max_length=128, blank=True
    )
    occupation = models.CharField(_("occupation"), max_length=128, blank=True)
    service_background = models.CharField(
        _("army / police / retired"),
        max_length=8,
        choices=ServiceBackground.choices,
        blank=True,
        default="",
    )
    # Party membership.
    admission_date = models.DateField(_("admission date"))
    probation_ends = models.DateField(_("end of probation"), null=True, blank=True)
    full_membership_date = models.DateField(
        _("full membership date"), null=True, blank=True
    )
    card_number = models.CharField(
        _("party card number"), max_length=16, null=True, blank=True, unique=True
    )
    biography_number = models.CharField(
        _("biography number"), max_length=16, null=True, blank=True, unique=True
    )
    badge_number = models.CharField(_("badge number"), max_length=16, blank=True)
    # Photo: small JPEG/PNG kept in the row, so it is written with the
    # record in one transaction (checked by content, size-limited).
    photo = models.BinaryField(_("photo"), null=True, blank=True, editable=True)
    photo_type = models.CharField(max_length=16, blank=True, default="")
    # Exemption from activities (still counted).
    exempt_since = models.DateField(_("exempt since"), null=True, blank=True)
    exempt_reason = models.CharField(_("exemption reason"), max_length=255, blank=True)
    # Leaving the list.
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leaving_form = models.CharField(_("form of leaving"), max_length=128, blank=True)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Dues.
    dues_category = models.CharField(
        _("dues category"),
        max_length=16,
        choices=DuesCategory.choices,
        default=DuesCategory.OTHER,
    )
    insured_salary = models.PositiveBigIntegerField(
        _("insured salary or pension (VND)"), null=True, blank=True
    )
    # Citizen ID check against the population registry.
    citizen_check_status = models.CharField(
        _("citizen ID check"),
        max_length=16,
        choices=CitizenCheckStatus.choices,
        blank=True,
        default="",
    )
    citizen_checked_at = models.DateTimeField(
        _("citizen ID checked at"), null=True, blank=True
    )
    # Bumped when a card is (re)issued: older cards' tokens stop verifying.
    card_version = models.PositiveIntegerField(default=0)
    card_valid_until = models.DateField(_("card valid until"), null=True, blank=True)

    scope_path_field = "organization__path"
    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "full_name", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["status", "probation_ends"]),
        ]
        permissions = [
            ("view_sensitive_member", "Can view sensitive member fields"),
            ("export_member", "Can export member data"),
            ("transfer_member", "Can transfer members"),
            ("discipline_member", "Can discipline members"),
            ("import_member", "Can import members"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("members:member", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def is_exempt(self) -> bool:
        return self.exempt_since is not None

    @property
    def dues_status(self) -> dict:
        """This month's dues, the year's arrears and payments (the member
        handbook's dues block)."""
        from django.utils import timezone

        from hoso.members import dues

        today = timezone.localdate()
        payments = list(self.dues_payments.filter(month__year=today.year))
        return {
            "due": dues.amount_due(self, today),
            "paid_this_month": any(p.month == today.replace(day=1) for p in payments),
            "arrears": dues.arrears(self, today, paid={p.month for p in payments}),
            "payments": sorted(payments, key=lambda p: p.month, reverse=True),
        }


class Introduction(models.Model):
    """One of the (two) members who introduced an applicant."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="introductions"
    )
    introducer = models.ForeignKey(
        Member,
        verbose_name=_("introducer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="introduced",
    )
    introducer_name = models.CharField(_("introducer"), max_length=150)

    class Meta:
        verbose_name = _("introduction")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "introducer"], name="members_one_introduction_each"
            )
        ]

    def __str__(self) -> str:
        return self.introducer_name


class MemberEvent(models.Model):
    """One entry of a member's timeline (the audit chain has the details)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    on = models.DateField(_("date"))
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("member event")

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()}"


class Discipline(models.Model):
    """A disciplinary decision."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="disciplines"
    )
    form = models.CharField(_("form"), max_length=16, choices=DisciplineForm.choices)
    decided_on = models.DateField(_("decided on"))
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        ordering = ["decided_on", "id"]
        verbose_name = _("discipline")

    def __str__(self) -> str:
        return self.get_form_display()


class Transfer(BaseModel):
    """An official or temporary transfer of a member between organizations.

    Official: sent by the origin within 60 working days of the decision,
    the member presents at the target within 30 working days of sending;
    the member stays counted at the origin until the target receives them.
    Temporary: the member stays counted at home; the host keeps them as a
    temporary member (not counted) between `starts_on` and `ends_on`.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="transfers"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=TransferStatus.choices
    )
    origin = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    target = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    start_deadline = models.DateField(_("start deadline"), null=True, blank=True)
    present_deadline = models.DateField(_("present by"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    late_reason = models.CharField(_("reason for lateness"), max_length=255, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=8, choices=TemporaryPurpose.choices, blank=True
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            # One open transfer of each kind per member.
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=Q(status__in=["sent", "active"]),
                name="members_one_open_transfer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("members:member", args=[self.member_id])

    @property
    def organization(self):
        """The audit chain files a transfer under its origin."""
        return self.origin

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """Both sides see a transfer: the origin's and the target's subtree."""
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(origin__path__startswith=path) | Q(target__path__startswith=path)
        return q


class CitizenIdCheck(models.Model):
    """One check of a member's citizen ID, name and date of birth against
    the population registry, run by a background job."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="citizen_checks"
    )
    status = models.CharField(
        _("result"),
        max_length=16,
        choices=CitizenCheckStatus.choices,
        default=CitizenCheckStatus.PENDING,
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    mismatched = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("citizen ID check")

    def __str__(self) -> str:
        return f"{self.member} {self.status}"

"""Member lifecycle services: each checks the permission, runs in one
transaction, writes the timeline and the audit chain.

Rules (SPEC §5 "Members"): admission at 18–60 with two introducing full
members; 12 months of probation, then the cell's vote; official transfers
with deadlines of 60 and 30 working days; temporary transfers of 3 months to
under a year (study: up to 2 years) not counted by the host; exemption;
removal; discipline (probationary members: reprimand or warning only);
death. A member is always counted in exactly one organization: the
`organization` of the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.members import validators, workdays
from hoso.members.choices import (
    CURRENT_STATUSES,
    PROBATIONARY_DISCIPLINE,
    DisciplineForm,
    EventKind,
    MemberStatus,
    TemporaryPurpose,
    TransferKind,
    TransferStatus,
)
from hoso.members.models import (
    Discipline,
    Introduction,
    Member,
    MemberEvent,
    Transfer,
)
from hoso.organizations.choices import Level

MIN_AGE = 18
MAX_AGE = 60
PROBATION_MONTHS = 12
TRANSFER_START_WORKING_DAYS = 60
TRANSFER_PRESENT_WORKING_DAYS = 30
INTRODUCERS_REQUIRED = 2
PHOTO_MAX_BYTES = 512 * 1024
# Counting units: members belong to a cell, or to a grassroots organization
# that has no cells.
MEMBER_LEVELS = (Level.CELL, Level.GRASSROOTS)

PROFILE_FIELDS = (
    "full_name",
    "birth_name",
    "date_of_birth",
    "place_of_birth",
    "sex",
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "citizen_id",
    "phone",
    "education_general",
    "political_theory",
    "professional",
    "languages",
    "occupation_before",
    "occupation",
    "service_background",
    "card_number",
    "biography_number",
    "badge_number",
    "dues_category",
    "insured_salary",
    "notes",
)


# Helpers ---------------------------------------------------------------------


def _require(user, action: str, organization) -> None:
    if not permissions.has_permission(user, f"members.{action}", organization):
        raise PermissionDenied


def _locked(member: Member, user, action: str = "change_member") -> Member:
    """Re-read the member locked, within the user's scope for `action`."""
    verb = action.rsplit("_", 1)[0]
    qs = Member.objects.restrict(user, verb).select_for_update(of=("self",))
    try:
        return qs.select_related("organization").get(pk=member.pk)
    except Member.DoesNotExist:
        raise PermissionDenied from None


def _event(member: Member, kind: str, on: date, user, note: str = "", **details):
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        on=on,
        organization=member.organization,
        actor=user if getattr(user, "is_authenticated", False) else None,
        note=note[:500],
        details=audit._normalize(details),
    )


def _today() -> date:
    return timezone.localdate()


def _check_member_unit(organization) -> None:
    """Members belong to a cell, or to a grassroots organization without
    cells (one with cells counts its members in them)."""
    if organization.level not in MEMBER_LEVELS:
        raise ValidationError(
            {
                "organization": _(
                    "Members belong to a cell or to a grassroots organization."
                )
            }
        )
    # Ended cells kept under their successor (restructuring) are history,
    # not cells where members can be counted.
    if (
        organization.level == Level.GRASSROOTS
        and organization.children.filter(level=Level.CELL).current(_today()).exists()
    ):
        raise ValidationError(
            {
                "organization": _(
                    "This grassroots organization has cells: choose the cell."
                )
            }
        )


def clean_profile(data: dict, *, instance: Member | None = None) -> dict:
    """Validate and normalize profile fields; raise one ValidationError
    naming every bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    for name, check in (
        ("card_number", validators.validate_card_number),
        ("biography_number", validators.validate_biography_number),
        ("citizen_id", validators.validate_citizen_id),
    ):
        value = cleaned.get(name)
        if value in (None, ""):
            if name in cleaned:
                cleaned[name] = None
            continue
        try:
            cleaned[name] = check(value)
        except ValidationError as exc:
            errors.setdefault(name, []).extend(exc.messages)
            continue
        clash = Member.objects.filter(**{name: cleaned[name]})
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.setdefault(name, []).append(
                _("Another member already has this number.")
            )
    if "full_name" in cleaned and not (cleaned["full_name"] or "").strip():
        errors.setdefault("full_name", []).append(_("Enter the member's name."))
    born = cleaned.get("date_of_birth")
    if born is not None and born > _today():
        errors.setdefault("date_of_birth", []).append(
            _("The date of birth is in the future.")
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_photo(content: bytes) -> str:
    """The photo's type from its bytes (JPEG or PNG), or ValidationError."""
    if len(content) > PHOTO_MAX_BYTES:
        raise ValidationError(
            {"photo": _("The photo is larger than 512 KB.")}, code="photo_size"
        )
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    raise ValidationError(
        {"photo": _("The photo must be a JPEG or PNG image.")}, code="photo_type"
    )


# Admission and probation -----------------------------------------------------


def admit_member(
    *,
    organization,
    admitted_on: date,
    introducers: list[Member],
    acting_user,
    **profile,
) -> Member:
    """Admit a new (probationary) member to a cell.

    Refuses an applicant younger than 18 or older than 60 on the admission
    day (from the 18th to the 60th birthday inclusive), and anything but two
    distinct introducers who are full members on the list.
    """
    _require(acting_user, "add_member", organization)
    _check_member_unit(organization)
    profile = clean_profile(profile)
    born = profile.get("date_of_birth")
    errors: dict[str, list[str]] = {}
    if born is None:
        errors["date_of_birth"] = [_("Enter the date of birth.")]
    elif not (
        workdays.add_months(born, MIN_AGE * 12)
        <= admitted_on
        <= workdays.add_months(born, MAX_AGE * 12)
    ):
        errors["date_of_birth"] = [
            _(
                "An applicant must be between 18 and 60 years old on the "
                "admission day (is %(age)d)."
            )
            % {"age": workdays.age_on(born, admitted_on)}
        ]
    if admitted_on > _today():
        errors["admitted_on"] = [_("The admission day is in the future.")]
    unique = {m.pk: m for m in introducers}
    if len(unique) != INTRODUCERS_REQUIRED or len(introducers) != len(unique):
        errors["introducers"] = [_("Two different introducing members are required.")]
    else:
        for introducer in unique.values():
            if introducer.status != MemberStatus.FULL:
                errors.setdefault("introducers", []).append(
                    _("%(name)s is not a full member.") % {"name": introducer}
                )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = Member(
            organization=organization,
            status=MemberStatus.PROBATIONARY,
            admission_date=admitted_on,
            probation_ends=workdays.add_months(admitted_on, PROBATION_MONTHS),
            **profile,
        )
        member.full_clean(exclude=["photo"])
        member.save()
        for introducer in unique.values():
            Introduction.objects.create(
                member=member, introducer=introducer, introducer_name=str(introducer)
            )
        _event(
            member,
            EventKind.ADMITTED,
            admitted_on,
            acting_user,
            introducers=[str(m) for m in unique.values()],
        )
        audit.record(
            "members.admitted",
            obj=member,
            actor=acting_user,
            changes={
                "status": [None, member.status],
                "admission_date": [None, admitted_on],
                "introducers": [None, sorted(unique)],
            },
        )
    return member


def full_members_voting(organization) -> int:
    """Full members of the cell (the base of the vote's majority)."""
    return Member.objects.filter(
        organization=organization, status=MemberStatus.FULL
    ).count()


def decide_full_membership(
    member: Member,
    *,
    voted_on: date,
    votes_for: int,
    votes_against: int,
    acting_user,
) -> Member:
    """Record the cell's vote at the end of probation.

    More than half of the cell's full members in favour: full member from
    the end of the probation; otherwise removed from the probationary list.
    Refused before the 12 months are over or for a member not on probation.
    """
    with transaction.atomic():
        member = _locked(member, acting_user)
        if member.status != MemberStatus.PROBATIONARY:
            raise ValidationError(_("Only a probationary member can be voted on."))
        if voted_on < member.probation_ends:
            raise ValidationError(
                {
                    "voted_on": _(
                        "The probation lasts 12 months: the vote can be held "
                        "from %(date)s."
                    )
                    % {"date": member.probation_ends.strftime("%d/%m/%Y")}
                }
            )
        if voted_on > _today():
            raise ValidationError({"voted_on": _("The vote is in the future.")})
        electorate = full_members_voting(member.organization)
        if votes_for < 0 or votes_against < 0 or votes_for + votes_against > electorate:
            raise ValidationError(
                {
                    "votes_for": _(
                        "The votes exceed the %(count)d full members of the cell."
                    )
                    % {"count": electorate}
                }
            )
        before = audit.snapshot(member, ["status", "full_membership_date", "left_on"])
        votes = {"for": votes_for, "against": votes_against, "electorate": electorate}
        if votes_for * 2 > electorate:
            member.status = MemberStatus.FULL
            member.full_membership_date = member.probation_ends
            kind, action = EventKind.FULL_MEMBERSHIP, "members.full_membership"
        else:
            member.status = MemberStatus.REMOVED
            member.left_on = voted_on
            member.leaving_form = str(_("Removed from the probationary list"))
            kind, action = EventKind.PROBATION_REJECTED, "members.probation_rejected"
        member.save()
        _event(member, kind, voted_on, acting_user, votes=votes)
        audit.record(
            action,
            obj=member,
            actor=acting_user,
            changes={
                **audit.diff(before, audit.snapshot(member, list(before))),
                "votes": [None, votes],
            },
        )
    return member


# Profile ---------------------------------------------------------------------


def update_profile(member: Member, *, acting_user, **changes) -> Member:
    """Change 2-HSĐV fields; sensitive ones need `view_sensitive_member`."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    from hoso.members.models.member import SENSITIVE_FIELDS

    with transaction.atomic():
        member = _locked(member, acting_user)
        if set(changes) & set(SENSITIVE_FIELDS):
            _require(acting_user, "view_sensitive_member", member.organization)
        changes = clean_profile(changes, instance=member)
        before = audit.snapshot(member, list(changes))
        for name, value in changes.items():
            setattr(member, name, value)
        member.full_clean(exclude=["photo"])
        member.save()
        after = audit.snapshot(member, list(changes))
        changed = audit.diff(before, after)
        if changed:
            if (
                "citizen_id" in changed
                or "full_name" in changed
                or ("date_of_birth" in changed)
            ):
                member.citizen_check_status = ""
                member.save(update_fields=["citizen_check_status"])
            _event(
                member,
                EventKind.PROFILE_CHANGED,
                _today(),
                acting_user,
                fields=sorted(changed),
            )
            audit.record(
                "members.profile_changed",
                obj=member,
                actor=acting_user,
                changes=changed,
            )
    return member


def set_photo(member: Member, content: bytes, *, acting_user) -> Member:
    """Store a new photo (checked by content and size)."""
    photo_type = check_photo(content)
    with transaction.atomic():
        member = _locked(member, acting_user)
        member.photo = content
        member.photo_type = photo_type
        member.save(update_fields=["photo", "photo_type", "updated"])
        audit.record(
            "members.photo_changed",
            obj=member,
            actor=acting_user,
            changes={"photo_bytes": [None, len(content)]},
        )
    return member


# Transfers -------------------------------------------------------------------


def send_transfer(
    member: Member,
    *,
    target,
    decided_on: date,
    sent_on: date,
    acting_user,
    reason: str = "",
) -> Transfer:
    """The origin sends a member to another organization (official transfer).

    The sending must start within 60 working days of the decision; the member
    has 30 working days from the sending to present at the target. Until the
    target receives them, the member is counted at the origin.
    """
    with transaction.atomic():
        member = _locked(member, acting_user, "transfer_member")
        _check_member_unit(target)
        if not member.is_current:
            raise ValidationError(_("Only a member on the list can be transferred."))
        if target.pk == member.organization_id:
            raise ValidationError(
                {"target": _("The member already belongs to this organization.")}
            )
        if member.transfers.filter(
            kind=TransferKind.OFFICIAL, status=TransferStatus.SENT
        ).exists():
            raise ValidationError(_("This member already has a transfer under way."))
        if sent_on < decided_on:
            raise ValidationError({"sent_on": _("The sending precedes the decision.")})
        start_deadline = workdays.add_working_days(
            decided_on, TRANSFER_START_WORKING_DAYS
        )
        if sent_on > start_deadline:
            raise ValidationError(
                {
                    "sent_on": _(
                        "A transfer must start within 60 working days of the "
                        "decision (by %(date)s)."
                    )
                    % {"date": start_deadline.strftime("%d/%m/%Y")}
                }
            )
        transfer = Transfer.objects.create(
            member=member,
            kind=TransferKind.OFFICIAL,
            status=TransferStatus.SENT,
            origin=member.organization,
            target=target,
            decided_on=decided_on,
            sent_on=sent_on,
            start_deadline=start_deadline,
            present_deadline=workdays.add_working_days(
                sent_on, TRANSFER_PRESENT_WORKING_DAYS
            ),
            reason=reason,
        )
        _event(
            member,
            EventKind.TRANSFER_SENT,
            sent_on,
            acting_user,
            target=str(target),
            present_by=transfer.present_deadline,
        )
        audit.record(
            "members.transfer_sent",
            obj=transfer,
            actor=acting_user,
            changes={"target": [None, target.pk], "sent_on": [None, sent_on]},
        )
    return transfer


def _locked_transfer(transfer: Transfer, user, action: str) -> Transfer:
    qs = Transfer.objects.restrict(user, action).select_for_update(of=("self",))
    try:
        return qs.select_related("member", "origin", "target").get(pk=transfer.pk)
    except Transfer.DoesNotExist:
        raise PermissionDenied from None


def receive_transfer(
    transfer: Transfer, *, received_on: date, acting_user, late_reason: str = ""
) -> Transfer:
    """The target receives the member: from now on it counts them.

    After the 30-working-day limit the target must record the reason for
    the lateness (otherwise the member is dealt with under the removal
    procedure by the origin).
    """
    with transaction.atomic():
        transfer = _locked_transfer(transfer, acting_user, "change")
        _require(acting_user, "change_member", transfer.target)
        if transfer.kind != TransferKind.OFFICIAL or (
            transfer.status != TransferStatus.SENT
        ):
            raise ValidationError(_("This transfer is not waiting to be received."))
        if received_on < transfer.sent_on:
            raise ValidationError(
                {"received_on": _("The member cannot arrive before being sent.")}
            )
        if received_on > _today():
            raise ValidationError({"received_on": _("This day is in the future.")})
        if received_on > transfer.present_deadline and not late_reason.strip():
            raise ValidationError(
                {
                    "late_reason": _(
                        "The member presented after the 30-working-day limit "
                        "(%(date)s): record the reason."
                    )
                    % {"date": transfer.present_deadline.strftime("%d/%m/%Y")}
                }
            )
        member = Member.objects.select_for_update(of=("self",)).get(
            pk=transfer.member_id
        )
        if not member.is_current:
            raise ValidationError(_("Only a member on the list can be transferred."))
        transfer.status = TransferStatus.RECEIVED
        transfer.received_on = received_on
        transfer.late_reason = late_reason.strip()
        transfer.save()
        member.organization = transfer.target
        member.save(update_fields=["organization", "updated"])
        _event(
            member,
            EventKind.TRANSFER_RECEIVED,
            received_on,
            acting_user,
            origin=str(transfer.origin),
        )
        audit.record(
            "members.transfer_received",
            obj=member,
            actor=acting_user,
            organization=transfer.target,
            changes={"organization": [transfer.origin_id, transfer.target_id]},
        )
    return transfer


def cancel_transfer(transfer: Transfer, *, acting_user, reason: str) -> Transfer:
    """The origin withdraws a transfer the target has not received."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        transfer = _locked_transfer(transfer, acting_user, "change")
        _require(acting_user, "transfer_member", transfer.origin)
        if transfer.status != TransferStatus.SENT:
            raise ValidationError(_("This transfer is not waiting to be received."))
        transfer.status = TransferStatus.CANCELLED
        transfer.reason = reason.strip()[:255]
        transfer.save()
        _event(
            transfer.member, EventKind.TRANSFER_CANCELLED, _today(), acting_user, reason
        )
        audit.record(
            "members.transfer_cancelled",
            obj=transfer,
            actor=acting_user,
            changes={"status": [TransferStatus.SENT, TransferStatus.CANCELLED]},
        )
    return transfer


def start_temporary_transfer(
    member: Member,
    *,
    host,
    starts_on: date,
    ends_on: date,
    purpose: str = TemporaryPurpose.WORK,
    acting_user,
    reason: str = "",
) -> Transfer:
    """A temporary transfer: 3 months to under a year (study: up to 2 years).
    The member stays counted at home; the host does not count them."""
    with transaction.atomic():
        member = _locked(member, acting_user, "transfer_member")
        _check_member_unit(host)
        if not member.is_current:
            raise ValidationError(_("Only a member on the list can be transferred."))
        if host.pk == member.organization_id:
            raise ValidationError(
                {"target": _("The member already belongs to this organization.")}
            )
        shortest = workdays.add_months(starts_on, 3)
        longest_excl = workdays.add_months(starts_on, 12)
        if ends_on < shortest:
            raise ValidationError(
                {"ends_on": _("A temporary transfer lasts at least 3 months.")}
            )
        if purpose == TemporaryPurpose.STUDY:
            if ends_on > workdays.add_months(starts_on, 24):
                raise ValidationError(
                    {
                        "ends_on": _(
                            "A temporary transfer for study lasts at most 2 years."
                        )
                    }
                )
        elif ends_on >= longest_excl:
            raise ValidationError(
                {"ends_on": _("A temporary transfer lasts less than a year.")}
            )
        if member.transfers.filter(
            kind=TransferKind.TEMPORARY, status=TransferStatus.ACTIVE
        ).exists():
            raise ValidationError(_("This member is already on a temporary transfer."))
        transfer = Transfer.objects.create(
            member=member,
            kind=TransferKind.TEMPORARY,
            status=TransferStatus.ACTIVE,
            origin=member.organization,
            target=host,
            starts_on=starts_on,
            ends_on=ends_on,
            purpose=purpose,
            reason=reason,
        )
        _event(
            member,
            EventKind.TEMPORARY_STARTED,
            starts_on,
            acting_user,
            host=str(host),
            ends_on=ends_on,
        )
        audit.record(
            "members.temporary_transfer_started",
            obj=transfer,
            actor=acting_user,
            changes={"host": [None, host.pk], "ends_on": [None, ends_on]},
        )
    return transfer


def end_temporary_transfer(
    transfer: Transfer, *, ended_on: date, acting_user
) -> Transfer:
    """The member returns from a temporary transfer."""
    with transaction.atomic():
        transfer = _locked_transfer(transfer, acting_user, "change")
        if transfer.kind != TransferKind.TEMPORARY or (
            transfer.status != TransferStatus.ACTIVE
        ):
            raise ValidationError(_("This temporary transfer is not active."))
        transfer.status = TransferStatus.ENDED
        transfer.ends_on = ended_on
        transfer.save()
        _event(transfer.member, EventKind.TEMPORARY_ENDED, ended_on, acting_user)
        audit.record(
            "members.temporary_transfer_ended",
            obj=transfer,
            actor=acting_user,
            changes={"status": [TransferStatus.ACTIVE, TransferStatus.ENDED]},
        )
    return transfer


# Exemption, removal, discipline, death ---------------------------------------


def exempt_member(member: Member, *, since: date, reason: str, acting_user) -> Member:
    """Exempt a member from activities (age, illness…); still counted."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        member = _locked(member, acting_user)
        if not member.is_current:
            raise ValidationError(_("This member is not on the list."))
        if member.exempt_since is not None:
            raise ValidationError(_("This member is already exempt."))
        member.exempt_since = since
        member.exempt_reason = reason.strip()[:255]
        member.save()
        _event(member, EventKind.EXEMPTED, since, acting_user, reason)
        audit.record(
            "members.exempted",
            obj=member,
            actor=acting_user,
            changes={"exempt_since": [None, since], "exempt_reason": [None, reason]},
        )
    return member


def end_exemption(member: Member, *, on: date, acting_user) -> Member:
    with transaction.atomic():
        member = _locked(member, acting_user)
        if member.exempt_since is None:
            raise ValidationError(_("This member is not exempt."))
        before = member.exempt_since
        member.exempt_since = None
        member.exempt_reason = ""
        member.save()
        _event(member, EventKind.EXEMPTION_ENDED, on, acting_user)
        audit.record(
            "members.exemption_ended",
            obj=member,
            actor=acting_user,
            changes={"exempt_since": [before, None]},
        )
    return member


def _leave(member: Member, *, status: str, on: date, form: str) -> dict:
    before = audit.snapshot(member, ["status", "left_on", "leaving_form"])
    member.status = status
    member.left_on = on
    member.leaving_form = form
    member.save()
    # Open transfers end with the membership.
    member.transfers.filter(status__in=[TransferStatus.SENT]).update(
        status=TransferStatus.CANCELLED
    )
    member.transfers.filter(status=TransferStatus.ACTIVE).update(
        status=TransferStatus.ENDED
    )
    return audit.diff(before, audit.snapshot(member, list(before)))


def remove_member(member: Member, *, on: date, reason: str, acting_user) -> Member:
    """Remove a member from the list (e.g. 3 months without meetings or
    dues in a year without reason)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        member = _locked(member, acting_user)
        if not member.is_current:
            raise ValidationError(_("This member is not on the list."))
        changes = _leave(
            member, status=MemberStatus.REMOVED, on=on, form=str(_("Removed"))
        )
        _event(member, EventKind.REMOVED, on, acting_user, reason)
        audit.record(
            "members.removed",
            obj=member,
            actor=acting_user,
            changes={**changes, "reason": [None, reason]},
        )
    return member


def discipline_member(
    member: Member, *, form: str, decided_on: date, reason: str, acting_user
) -> Discipline:
    """Record a disciplinary decision. A probationary member can only be
    reprimanded or warned; expulsion takes the member off the list."""
    if form not in DisciplineForm.values:
        raise ValidationError({"form": _("Unknown form of discipline.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    with transaction.atomic():
        member = _locked(member, acting_user, "discipline_member")
        if not member.is_current:
            raise ValidationError(_("This member is not on the list."))
        if member.status == MemberStatus.PROBATIONARY and (
            form not in PROBATIONARY_DISCIPLINE
        ):
            raise ValidationError(
                {"form": _("A probationary member can only be reprimanded or warned.")}
            )
        discipline = Discipline.objects.create(
            member=member, form=form, decided_on=decided_on, reason=reason.strip()
        )
        changes = {"discipline": [None, form]}
        if form == DisciplineForm.EXPULSION:
            changes.update(
                _leave(
                    member,
                    status=MemberStatus.EXPELLED,
                    on=decided_on,
                    form=str(_("Expelled")),
                )
            )
        _event(
            member,
            EventKind.DISCIPLINED,
            decided_on,
            acting_user,
            reason,
            form=form,
        )
        audit.record(
            "members.disciplined", obj=member, actor=acting_user, changes=changes
        )
    return discipline


def record_death(member: Member, *, died_on: date, acting_user) -> Member:
    with transaction.atomic():
        member = _locked(member, acting_user)
        if not member.is_current:
            raise ValidationError(_("This member is not on the list."))
        if died_on > _today():
            raise ValidationError({"died_on": _("This day is in the future.")})
        changes = _leave(member, status=MemberStatus.DECEASED, on=died_on, form="")
        member.died_on = died_on
        member.save(update_fields=["died_on"])
        _event(member, EventKind.DIED, died_on, acting_user)
        audit.record(
            "members.died",
            obj=member,
            actor=acting_user,
            changes={**changes, "died_on": [None, died_on]},
        )
    return member


def link_person(member: Member, person, *, acting_user) -> Member:
    """Link the member's own sign-in (for the member handbook)."""
    with transaction.atomic():
        member = _locked(member, acting_user)
        before = member.person_id
        member.person = person
        member.save(update_fields=["person", "updated"])
        audit.record(
            "members.person_linked",
            obj=member,
            actor=acting_user,
            changes={"person": [before, getattr(person, "pk", None)]},
        )
    return member


# Contracts for other apps ----------------------------------------------------


def members_to_hand_over(organization) -> QuerySet:
    """The members a restructuring hands over: those on the list (probationary
    and full) counted in `organization` itself. Removed, expelled and deceased
    members stay with it as history."""
    return Member.objects.current().filter(organization=organization)


def check_members_can_move(source, target, members: Iterable | None = None) -> None:
    """Refuse (ValidationError on `target`) a restructuring that would put
    members (all of `source`'s on the list, or only `members`) where members
    cannot be counted."""
    moving = _movers(source, members).exists()
    if members is None:
        check_transfers_can_move(source, target)
        moving = moving or transfers_to_hand_over(source).exists()
    if moving:
        try:
            _check_member_unit(target)
        except ValidationError as error:
            raise ValidationError(
                {"target": error.message_dict["organization"]}
            ) from None


def transfers_to_hand_over(organization) -> QuerySet:
    """Transfers under way into `organization`: official transfers sent to it
    and not yet received, temporary stays it hosts. Once it has ended, its
    successor receives or hosts these members."""
    return Transfer.objects.open().filter(target=organization)


def check_transfers_can_move(source, target) -> None:
    """Refuse (ValidationError on `target`) to redirect a transfer between
    the two organizations to the successor: it would go from the successor
    to itself. The clerk receives or cancels it first."""
    if transfers_to_hand_over(source).filter(origin=target).exists():
        raise ValidationError(
            {
                "target": _(
                    "A member is being transferred between these two "
                    "organizations: receive or cancel the transfer first."
                )
            }
        )


def hand_over_transfers(source, target, *, on: date, acting_user, reason: str) -> int:
    """Redirect the transfers under way into `source` to `target`
    (restructuring); returns how many. The member stays where they are
    counted until the target receives them, as for any transfer.

    Called by the organization restructuring service, which has checked the
    permission on both organizations and holds the transaction.
    """
    transfers = transfers_to_hand_over(source)
    if not transfers.exists():
        return 0
    check_transfers_can_move(source, target)
    try:
        _check_member_unit(target)
    except ValidationError as error:
        raise ValidationError({"target": error.message_dict["organization"]}) from None
    moved = 0
    for transfer in transfers.select_for_update(of=("self",)).select_related("member"):
        transfer.target = target
        transfer.save(update_fields=["target", "updated"])
        _event(transfer.member, EventKind.RESTRUCTURED, on, acting_user, reason)
        audit.record(
            "members.transfer_handed_over",
            obj=transfer,
            actor=acting_user,
            changes={"target": [source.pk, target.pk], "reason": reason},
        )
        moved += 1
    return moved


def _movers(source, members: Iterable | None) -> QuerySet:
    movers = members_to_hand_over(source)
    if members is not None:
        movers = movers.filter(pk__in=[member.pk for member in members])
    return movers


def hand_over_members(
    source,
    target,
    *,
    on: date,
    acting_user,
    reason: str,
    members: Iterable | None = None,
) -> int:
    """Move the members counted in `source` (all those on the list, or only
    `members` of them, when a split shares them out) to `target`.

    Called by the organization restructuring service, which has checked the
    permission on both organizations and holds the transaction. Unlike an
    official transfer there is no sending and receiving: the decision that
    merges, splits or dissolves the organization moves everybody on the same
    day. Each member gets a timeline event and an audit entry like a received
    transfer. Returns how many moved.
    """
    check_members_can_move(source, target, members)
    moved = 0
    for member in _movers(source, members).select_for_update(of=("self",)):
        member.organization = target
        member.save(update_fields=["organization", "updated"])
        _event(
            member, EventKind.RESTRUCTURED, on, acting_user, reason, origin=str(source)
        )
        audit.record(
            "members.restructured",
            obj=member,
            actor=acting_user,
            organization=target,
            changes={"organization": [source.pk, target.pk], "reason": reason},
        )
        moved += 1
    return moved


def member_for_user(user) -> Member | None:
    """The member record of a signed-in user (None when they have none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.select_related("organization").filter(person__user=user).first()
    )


def persons_in(organization) -> QuerySet:
    """Persons linked to current members counted in `organization`."""
    from hoso.accounts.models import Person

    return Person.objects.filter(
        member__organization=organization, member__status__in=CURRENT_STATUSES
    )


# Counting --------------------------------------------------------------------


def member_counts(root) -> dict[int, int]:
    """Current members per organization of `root`'s subtree, each count
    including everything below (one grouped query, rolled up in Python).

    Temporary members are counted at home only; a member in transit is
    counted at the origin until received.
    """
    from hoso.organizations.models import Organization

    direct = dict(
        Member.objects.current()
        .filter(organization__path__startswith=root.path)
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    nodes = list(
        Organization.objects.subtree(root.path).values_list("pk", "path", "depth")
    )
    totals = {pk: direct.get(pk, 0) for pk, _path, _depth in nodes}
    by_path = {path: pk for pk, path, _depth in nodes}
    for pk, path, _depth in sorted(nodes, key=lambda n: -n[2]):
        parent_path = path.rstrip("/").rsplit("/", 1)[0] + "/"
        parent = by_path.get(parent_path)
        if parent is not None and pk != root.pk:
            totals[parent] += totals[pk]
    return totals

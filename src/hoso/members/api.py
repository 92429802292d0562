"""Members API: list and detail (each item with its `organization` id),
lifecycle transitions as POST endpoints, transfers, dues, imports."""

import os
import tempfile
from datetime import date, datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.core import permissions
from hoso.core.api import ListPagination
from hoso.members import card, dues, imports, registry, services
from hoso.members.choices import (
    DisciplineForm,
    DuesCategory,
    MemberStatus,
    ServiceBackground,
    Sex,
    TemporaryPurpose,
)
from hoso.members.filtersets import MemberFilterIn, filter_members
from hoso.members.models import Member, Transfer
from hoso.members.models.member import SENSITIVE_FIELDS
from hoso.organizations.models import Organization

router = Router(tags=["members"])

MAX_IMPORT_BYTES = 200 * 1024 * 1024


class MemberOut(Schema):
    id: int
    organization: int = Field(alias="organization_id")
    status: MemberStatus
    full_name: str
    sex: Sex
    ethnicity: str
    admission_date: date
    full_membership_date: date | None
    probation_ends: date | None
    card_number: str | None
    biography_number: str | None
    exempt_since: date | None
    citizen_check_status: str


class EventOut(Schema):
    kind: str
    on: date
    organization: int | None = Field(None, alias="organization_id")
    note: str
    details: dict


class MemberDetailOut(MemberOut):
    birth_name: str
    hometown: str
    education_general: str
    political_theory: str
    professional: str
    languages: str
    occupation_before: str
    occupation: str
    service_background: str
    badge_number: str
    left_on: date | None
    leaving_form: str
    died_on: date | None
    dues_category: DuesCategory
    citizen_checked_at: datetime | None
    card_valid_until: date | None
    has_photo: bool
    # Sensitive: null unless the caller may see them.
    citizen_id: str | None = None
    date_of_birth: date | None = None
    place_of_birth: str | None = None
    religion: str | None = None
    residence: str | None = None
    phone: str | None = None
    insured_salary: int | None = None
    events: list[EventOut]


class ProfileIn(Schema):
    full_name: str = Field(min_length=1, max_length=150)
    birth_name: str = Field("", max_length=150)
    date_of_birth: date
    place_of_birth: str = Field("", max_length=255)
    sex: Sex
    ethnicity: str = Field("Kinh", max_length=64)
    religion: str = Field("", max_length=64)
    hometown: str = Field("", max_length=255)
    residence: str = Field("", max_length=255)
    citizen_id: str | None = None
    phone: str = Field("", max_length=20)
    education_general: str = Field("", max_length=32)
    political_theory: str = Field("", max_length=64)
    professional: str = Field("", max_length=128)
    languages: str = Field("", max_length=128)
    occupation_before: str = Field("", max_length=128)
    occupation: str = Field("", max_length=128)
    service_background: ServiceBackground = ServiceBackground.NONE
    card_number: str | None = None
    biography_number: str | None = None
    badge_number: str = Field("", max_length=16)
    dues_category: DuesCategory = DuesCategory.OTHER
    insured_salary: int | None = Field(None, ge=0)


class AdmitIn(ProfileIn):
    organization: int
    admitted_on: date
    introducers: list[int] = Field(min_length=2, max_length=2)


class ProfilePatch(Schema):
    full_name: str | None = Field(None, min_length=1, max_length=150)
    birth_name: str | None = Field(None, max_length=150)
    date_of_birth: date | None = None
    place_of_birth: str | None = Field(None, max_length=255)
    sex: Sex | None = None
    ethnicity: str | None = Field(None, max_length=64)
    religion: str | None = Field(None, max_length=64)
    hometown: str | None = Field(None, max_length=255)
    residence: str | None = Field(None, max_length=255)
    citizen_id: str | None = None
    phone: str | None = Field(None, max_length=20)
    education_general: str | None = Field(None, max_length=32)
    political_theory: str | None = Field(None, max_length=64)
    professional: str | None = Field(None, max_length=128)
    languages: str | None = Field(None, max_length=128)
    occupation_before: str | None = Field(None, max_length=128)
    occupation: str | None = Field(None, max_length=128)
    service_background: ServiceBackground | None = None
    card_number: str | None = None
    biography_number: str | None = None
    badge_number: str | None = Field(None, max_length=16)
    dues_category: DuesCategory | None = None
    insured_salary: int | None = Field(None, ge=0)


class VoteIn(Schema):
    voted_on: date
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)


class TransferIn(Schema):
    target: int
    decided_on: date
    sent_on: date
    reason: str = Field("", max_length=255)


class TemporaryTransferIn(Schema):
    target: int
    starts_on: date
    ends_on: date
    purpose: TemporaryPurpose = TemporaryPurpose.WORK
    reason: str = Field("", max_length=255)


class DatedReasonIn(Schema):
    on: date
    reason: str = Field(min_length=1, max_length=255)


class DateIn(Schema):
    on: date


class DisciplineIn(Schema):
    form: DisciplineForm
    decided_on: date
    reason: str = Field(min_length=1, max_length=500)


class ReceiveIn(Schema):
    received_on: date
    late_reason: str = Field("", max_length=255)


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=255)


class TransferOut(Schema):
    id: int
    member: int = Field(alias="member_id")
    member_name: str = Field(alias="member.full_name")
    organization: int = Field(alias="origin_id")
    kind: str
    status: str
    origin: int = Field(alias="origin_id")
    target: int = Field(alias="target_id")
    decided_on: date | None
    sent_on: date | None
    start_deadline: date | None
    present_deadline: date | None
    received_on: date | None
    starts_on: date | None
    ends_on: date | None
    purpose: str


class PaymentIn(Schema):
    month: date
    amount: int = Field(gt=0)
    paid_on: date


class PaymentOut(Schema):
    id: int
    member: int = Field(alias="member_id")
    organization: int = Field(alias="organization_id")
    month: date
    amount: int
    paid_on: date


class DuesOut(Schema):
    member: int
    year: int
    amount_due_this_month: int | None
    unpaid_months: list[date]
    arrears: int
    flagged_for_removal: bool
    payments: list[PaymentOut]


class CheckOut(Schema):
    id: int
    status: str
    requested_at: datetime
    checked_at: datetime | None
    attempts: int
    mismatched: list


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    rows: int
    new: int
    updated: int
    unchanged: int
    committed: bool
    error_count: int
    errors: list[RowErrorOut]
    sha256: str


# Helpers ---------------------------------------------------------------------


def _member(request, member_id: int, action: str = "view") -> Member:
    return get_object_or_404(
        Member.objects.restrict(request.user, action).select_related("organization"),
        pk=member_id,
    )


def _organization(request, organization_id: int) -> Organization:
    return get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=organization_id
    )


def _any_organization(organization_id: int) -> Organization:
    """A transfer target may lie outside the caller's scope."""
    return get_object_or_404(Organization, pk=organization_id)


def _detail(request, member: Member) -> dict:
    data = {
        name: getattr(member, name)
        for name in MemberDetailOut.model_fields
        if hasattr(member, name) and name not in ("organization", "events")
    }
    data["organization_id"] = member.organization_id
    data["has_photo"] = member.photo is not None
    data["events"] = list(member.events.order_by("on", "id"))
    if not permissions.has_permission(
        request.user, "members.view_sensitive_member", member.organization
    ):
        for name in SENSITIVE_FIELDS:
            data[name] = None
    return data


# Members ---------------------------------------------------------------------


@router.get("/members", response=list[MemberOut])
@paginate(ListPagination)
def list_members(request, filters: Query[MemberFilterIn]):
    """Members in scope (by default those on the list); filter by
    organization subtree, status, sex, exemption, probation over, text."""
    qs = Member.objects.restrict(request.user, "view").defer("photo")
    return filter_members(qs, filters.model_dump(exclude_none=True)).order_by(
        "organization_id", "full_name", "id"
    )


@router.get("/members/{int:member_id}", response=MemberDetailOut)
def get_member(request, member_id: int):
    """One member with their timeline (sensitive fields only for roles that
    need them)."""
    return _detail(request, _member(request, member_id))


@router.post("/members", response={201: MemberDetailOut})
def admit_member(request, payload: AdmitIn):
    """Admit a probationary member (age 18–60, two full-member introducers)."""
    data = payload.model_dump()
    organization = _organization(request, data.pop("organization"))
    introducer_ids = data.pop("introducers")
    visible = Member.objects.restrict(request.user, "view")
    introducers = [get_object_or_404(visible, pk=pk) for pk in introducer_ids]
    member = services.admit_member(
        organization=organization,
        admitted_on=data.pop("admitted_on"),
        introducers=introducers,
        acting_user=request.user,
        **data,
    )
    return Status(201, _detail(request, _member(request, member.pk)))


@router.patch("/members/{int:member_id}", response=MemberDetailOut)
def update_member(request, member_id: int, payload: ProfilePatch):
    """Change profile fields (sensitive ones need the sensitive permission)."""
    member = _member(request, member_id, "change")
    services.update_profile(
        member, acting_user=request.user, **payload.model_dump(exclude_unset=True)
    )
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/full-membership", response=MemberDetailOut)
def full_membership(request, member_id: int, payload: VoteIn):
    """Record the cell's vote at the end of probation."""
    member = _member(request, member_id, "change")
    services.decide_full_membership(
        member, acting_user=request.user, **payload.model_dump()
    )
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/transfer", response={201: TransferOut})
def send_transfer(request, member_id: int, payload: TransferIn):
    """Send an official transfer to another cell."""
    member = _member(request, member_id)
    data = payload.model_dump()
    target = _any_organization(data.pop("target"))
    transfer = services.send_transfer(
        member, target=target, acting_user=request.user, **data
    )
    return Status(201, transfer)


@router.post("/members/{int:member_id}/temporary-transfer", response={201: TransferOut})
def temporary_transfer(request, member_id: int, payload: TemporaryTransferIn):
    """Start a temporary transfer (the host does not count the member)."""
    member = _member(request, member_id)
    data = payload.model_dump()
    host = _any_organization(data.pop("target"))
    transfer = services.start_temporary_transfer(
        member, host=host, acting_user=request.user, **data
    )
    return Status(201, transfer)


@router.post("/members/{int:member_id}/exempt", response=MemberDetailOut)
def exempt(request, member_id: int, payload: DatedReasonIn):
    member = _member(request, member_id, "change")
    services.exempt_member(
        member, since=payload.on, reason=payload.reason, acting_user=request.user
    )
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/end-exemption", response=MemberDetailOut)
def end_exemption(request, member_id: int, payload: DateIn):
    member = _member(request, member_id, "change")
    services.end_exemption(member, on=payload.on, acting_user=request.user)
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/remove", response=MemberDetailOut)
def remove(request, member_id: int, payload: DatedReasonIn):
    """Remove the member from the list."""
    member = _member(request, member_id, "change")
    services.remove_member(
        member, on=payload.on, reason=payload.reason, acting_user=request.user
    )
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/discipline", response=MemberDetailOut)
def discipline(request, member_id: int, payload: DisciplineIn):
    """Record discipline (probationary members: reprimand or warning)."""
    member = _member(request, member_id)
    services.discipline_member(member, acting_user=request.user, **payload.model_dump())
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/death", response=MemberDetailOut)
def death(request, member_id: int, payload: DateIn):
    member = _member(request, member_id, "change")
    services.record_death(member, died_on=payload.on, acting_user=request.user)
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/card", response=MemberDetailOut)
def issue_card(request, member_id: int):
    """Issue (or re-issue) the member card; older cards stop verifying."""
    member = _member(request, member_id, "change")
    card.issue_card(member, acting_user=request.user)
    return _detail(request, _member(request, member_id))


@router.post("/members/{int:member_id}/citizen-check", response={202: CheckOut})
def citizen_check(request, member_id: int):
    """Queue a citizen-ID check (the answer comes from a background job)."""
    member = _member(request, member_id)
    return Status(202, registry.request_check(member, acting_user=request.user))


@router.get("/members/{int:member_id}/citizen-checks", response=list[CheckOut])
def citizen_checks(request, member_id: int):
    member = _member(request, member_id)
    if not permissions.has_permission(
        request.user, "members.view_sensitive_member", member.organization
    ):
        raise HttpError(403, "forbidden")
    return list(member.citizen_checks.all()[:50])


# Dues ------------------------------------------------------------------------


@router.get("/members/{int:member_id}/dues", response=DuesOut)
def member_dues(request, member_id: int, year: int | None = None):
    """Dues of a member in a year: amount due, unpaid months, flag."""
    from django.utils import timezone

    member = _member(request, member_id)
    today = timezone.localdate()
    year = year or today.year
    on = today if year == today.year else date(year, 12, 31)
    owed = dues.arrears(member, on)
    return {
        "member": member.pk,
        "year": year,
        "amount_due_this_month": dues.amount_due(member, today),
        "unpaid_months": owed.months,
        "arrears": owed.amount,
        "flagged_for_removal": owed.flagged,
        "payments": list(member.dues_payments.filter(month__year=year)),
    }


@router.post("/members/{int:member_id}/dues", response={201: PaymentOut})
def pay_dues(request, member_id: int, payload: PaymentIn):
    """Record one month's dues."""
    member = _member(request, member_id)
    payment = dues.record_payment(
        member, acting_user=request.user, **payload.model_dump()
    )
    return Status(201, payment)


# Transfers -------------------------------------------------------------------


@router.get("/members/transfers", response=list[TransferOut])
@paginate(PageNumberPagination)
def list_transfers(request, incoming: bool = False, open: bool = True):  # noqa: A002
    """Transfers in scope (both sides); `incoming` keeps those arriving in
    the caller's organizations."""
    qs = Transfer.objects.restrict(request.user, "view").select_related("member")
    if open:
        qs = qs.open()
    if incoming:
        paths = (
            None
            if request.user.is_superuser
            else permissions.scope_paths(request.user, "members.view_transfer") or []
        )
        qs = qs.inbox(paths)
    return qs


def _transfer(request, transfer_id: int) -> Transfer:
    return get_object_or_404(
        Transfer.objects.restrict(request.user, "view").select_related("member"),
        pk=transfer_id,
    )


@router.post("/members/transfers/{int:transfer_id}/receive", response=TransferOut)
def receive_transfer(request, transfer_id: int, payload: ReceiveIn):
    """The target cell receives the member."""
    transfer = _transfer(request, transfer_id)
    services.receive_transfer(
        transfer, acting_user=request.user, **payload.model_dump()
    )
    return _transfer(request, transfer_id)


@router.post("/members/transfers/{int:transfer_id}/cancel", response=TransferOut)
def cancel_transfer(request, transfer_id: int, payload: CancelIn):
    transfer = _transfer(request, transfer_id)
    services.cancel_transfer(transfer, acting_user=request.user, reason=payload.reason)
    return _transfer(request, transfer_id)


@router.post("/members/transfers/{int:transfer_id}/end", response=TransferOut)
def end_temporary(request, transfer_id: int, payload: DateIn):
    transfer = _transfer(request, transfer_id)
    services.end_temporary_transfer(
        transfer, ended_on=payload.on, acting_user=request.user
    )
    return _transfer(request, transfer_id)


# Import ----------------------------------------------------------------------


@router.get("/members/import/template", response={200: None})
def import_template(request, format: str = "xlsx"):  # noqa: A002
    """The import template (XLSX with a column sheet, or CSV)."""
    if format == "csv":
        response = HttpResponse(imports.template_csv(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="members.csv"'
    else:
        response = HttpResponse(
            imports.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="members.xlsx"'
    return response


class ImportIn(Schema):
    organization: int
    commit: bool = False


@router.post("/members/import", response=ImportOut)
def import_members(request, payload: Form[ImportIn], file: File[UploadedFile]):
    """Dry run (default) or commit an XLSX/CSV file: every bad row is
    reported with its column and reason; a commit is all or nothing."""
    organization = _organization(request, payload.organization)
    if file.size > MAX_IMPORT_BYTES:
        raise HttpError(413, "file too large")
    with tempfile.NamedTemporaryFile(delete=False, suffix=".upload") as handle:
        for chunk in file.chunks():
            handle.write(chunk)
    try:
        # In a web request: no worker processes (forking a threaded server
        # process is unsafe).
        report = imports.run_import(
            handle.name,
            organization,
            acting_user=request.user,
            commit=payload.commit,
            workers=1,
        )
    finally:
        os.unlink(handle.name)
    return report.as_dict()

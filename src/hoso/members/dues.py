"""Party dues (đảng phí): the amount due per member per month, payments
recorded by the cell, arrears, and the removal flag.

Rates are rows of `DuesRate`, versioned by effective date: the rate of a
month is the row of the member's category with the latest `effective_from`
on or before the first day of that month. Salaried members pay `percent` of
their salary subject to social insurance, pensioners `percent` of their
pension (both in `Member.insured_salary`), others a flat monthly amount.

A month is overdue once it is over. A member with 3 or more overdue unpaid
months in a calendar year is flagged for the removal procedure (SPEC §5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.members.choices import CURRENT_STATUSES
from hoso.members.models import DuesPayment, DuesRate, Member

UNPAID_MONTHS_FOR_REMOVAL = 3


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def rate_for(category: str, month: date, rates: list[DuesRate] | None = None):
    """The rate in force for a category on the first day of `month`."""
    month = first_of_month(month)
    if rates is None:
        return (
            DuesRate.objects.filter(category=category, effective_from__lte=month)
            .order_by("-effective_from")
            .first()
        )
    candidates = [
        r for r in rates if r.category == category and r.effective_from <= month
    ]
    return max(candidates, key=lambda r: r.effective_from, default=None)


def amount_due(member: Member, month: date, rates=None) -> int | None:
    """The member's dues for `month` in VND; None when a percentage rate
    applies but the salary or pension is not recorded, or no rate exists."""
    rate = rate_for(member.dues_category, month, rates)
    if rate is None:
        return None
    if rate.flat_amount is not None:
        return rate.flat_amount
    if member.insured_salary is None:
        return None
    value = Decimal(member.insured_salary) * rate.percent / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def months_owed(member: Member, year: int, until: date) -> list[date]:
    """The months of `year` the member owes dues for, up to `until`'s month
    (inclusive): from the admission month, while on the list."""
    start = max(date(year, 1, 1), first_of_month(member.admission_date))
    end = first_of_month(until)
    if member.left_on is not None:
        end = min(end, first_of_month(member.left_on))
    months = []
    month = start
    while month <= end and month.year == year:
        months.append(month)
        month = next_month(month)
    return months


@dataclass
class Arrears:
    """What a member has not paid in a year, up to a day."""

    months: list[date] = field(default_factory=list)
    amount: int = 0

    @property
    def flagged(self) -> bool:
        return len(self.months) >= UNPAID_MONTHS_FOR_REMOVAL


def arrears(
    member: Member, on: date | None = None, *, paid=None, rates=None
) -> Arrears:
    """Unpaid months of `on`'s year that are over (the current month is not
    overdue yet) and their amount."""
    on = on or timezone.localdate()
    last_over = first_of_month(on)
    if last_over.month == 1:
        return Arrears()
    last_over = date(on.year, on.month - 1, 1)
    if paid is None:
        paid = set(
            member.dues_payments.filter(month__year=on.year).values_list(
                "month", flat=True
            )
        )
    result = Arrears()
    for month in months_owed(member, on.year, last_over):
        if month not in paid:
            result.months.append(month)
            result.amount += amount_due(member, month, rates) or 0
    return result


def record_payment(
    member: Member, *, month: date, amount: int, paid_on: date, acting_user
) -> DuesPayment:
    """Record one month's dues, collected by the member's cell.

    Refuses a month the member does not owe (before admission, after
    leaving, not yet begun), a second payment for a month, and an amount
    below the amount due.
    """
    month = first_of_month(month)
    today = timezone.localdate()
    with transaction.atomic():
        member = (
            Member.objects.restrict(acting_user, "view")
            .select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=member.pk)
            .first()
        )
        if member is None or not permissions.has_permission(
            acting_user, "members.add_duespayment", member.organization
        ):
            raise PermissionDenied
        if member.status not in CURRENT_STATUSES:
            raise ValidationError(_("This member is not on the list."))
        if month < first_of_month(member.admission_date) or month > first_of_month(
            today
        ):
            raise ValidationError(
                {"month": _("The member owes no dues for this month.")}
            )
        if paid_on > today:
            raise ValidationError({"paid_on": _("This day is in the future.")})
        if DuesPayment.objects.filter(member=member, month=month).exists():
            raise ValidationError(
                {"month": _("The dues of this month are already recorded.")}
            )
        due = amount_due(member, month)
        if due is None:
            raise ValidationError(
                {
                    "amount": _(
                        "The amount due is unknown: record the member's salary "
                        "or pension first."
                    )
                }
            )
        if amount < due:
            raise ValidationError(
                {
                    "amount": _("The amount is below the %(due)s VND due.")
                    % {"due": f"{due:,}".replace(",", ".")}
                }
            )
        payment = DuesPayment.objects.create(
            member=member,
            organization=member.organization,
            month=month,
            amount=amount,
            paid_on=paid_on,
            recorded_by=acting_user,
        )
        audit.record(
            "members.dues_paid",
            obj=payment,
            actor=acting_user,
            changes={"month": [None, month], "amount": [None, amount]},
        )
    return payment


def record_sheet_payments(
    organization, *, month: date, member_ids: list[int], paid_on: date, acting_user
) -> list[DuesPayment]:
    """Record the amount due for each listed member of the cell's sheet, all
    or nothing."""
    month = first_of_month(month)
    with transaction.atomic():
        members = list(
            Member.objects.restrict(acting_user, "view")
            .filter(organization=organization, pk__in=member_ids)
            .order_by("pk")
        )
        if len(members) != len(set(member_ids)):
            raise ValidationError(_("Some members are not in this cell."))
        payments = []
        for member in members:
            due = amount_due(member, month)
            payments.append(
                record_payment(
                    member,
                    month=month,
                    amount=due or 0,
                    paid_on=paid_on,
                    acting_user=acting_user,
                )
            )
    return payments


@dataclass
class SheetRow:
    member: Member
    due: int | None
    payment: DuesPayment | None
    arrears: Arrears


@dataclass
class DuesSheet:
    """A cell's monthly dues sheet."""

    organization: object
    month: date
    rows: list[SheetRow]

    @property
    def total_due(self) -> int:
        return sum(r.due or 0 for r in self.rows)

    @property
    def total_paid(self) -> int:
        return sum(r.payment.amount for r in self.rows if r.payment)

    @property
    def flagged(self) -> list[SheetRow]:
        return [r for r in self.rows if r.arrears.flagged]


def dues_sheet(organization, month: date, *, user, on: date | None = None) -> DuesSheet:
    """Every current member of the cell with the amount due for `month`, the
    payment if any, and their arrears in the year (three queries)."""
    month = first_of_month(month)
    on = on or timezone.localdate()
    members = list(
        Member.objects.restrict(user, "view")
        .current()
        .filter(organization=organization)
        .order_by("full_name", "pk")
    )
    rates = list(DuesRate.objects.all())
    paid: dict[int, dict[date, DuesPayment]] = {}
    for payment in DuesPayment.objects.filter(
        member__in=members, month__year=month.year
    ):
        paid.setdefault(payment.member_id, {})[payment.month] = payment
    rows = []
    for member in members:
        mine = paid.get(member.pk, {})
        rows.append(
            SheetRow(
                member=member,
                due=amount_due(member, month, rates)
                if month in months_owed(member, month.year, month)
                else None,
                payment=mine.get(month),
                arrears=arrears(member, on, paid=set(mine), rates=rates),
            )
        )
    return DuesSheet(organization=organization, month=month, rows=rows)


def flagged_for_removal(organization, *, user, on: date | None = None) -> list:
    """Current members under `organization` with 3 or more unpaid months in
    the year so far."""
    on = on or timezone.localdate()
    members = list(
        Member.objects.restrict(user, "view")
        .current()
        .filter(organization__path__startswith=organization.path)
    )
    rates = list(DuesRate.objects.all())
    paid: dict[int, set] = {}
    for member_id, month in DuesPayment.objects.filter(
        member__in=members, month__year=on.year
    ).values_list("member_id", "month"):
        paid.setdefault(member_id, set()).add(month)
    return [
        m
        for m in members
        if arrears(m, on, paid=paid.get(m.pk, set()), rates=rates).flagged
    ]

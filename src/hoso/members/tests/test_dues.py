"""Dues: rates as data, amounts due, payments, arrears, the removal flag."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hoso.members import dues
from hoso.members.models import DuesRate
from hoso.members.tests.factories import MemberFactory


@pytest.fixture
def salaried(tree):
    return MemberFactory(
        organization=tree["cell_a"], dues_category="salaried", insured_salary=8_450_000
    )


def test_amount_due_follows_the_rate_in_force(tree, salaried):
    """GIVEN the seeded rates and a new salaried rate from 1 July 2026 WHEN
    computing dues THEN each month uses the rate in force on its first day."""
    assert dues.amount_due(salaried, date(2026, 6, 1)) == 84_500
    DuesRate.objects.create(
        category="salaried", effective_from=date(2026, 7, 1), percent=Decimal("0.8")
    )
    assert dues.amount_due(salaried, date(2026, 6, 15)) == 84_500
    assert dues.amount_due(salaried, date(2026, 7, 1)) == 67_600
    pensioner = MemberFactory(
        organization=tree["cell_a"], dues_category="pensioner", insured_salary=5_000_001
    )
    assert dues.amount_due(pensioner, date(2026, 1, 1)) == 25_000
    other = MemberFactory(organization=tree["cell_a"], dues_category="other")
    assert dues.amount_due(other, date(2026, 1, 1)) == 3_000
    unknown = MemberFactory(organization=tree["cell_a"], dues_category="salaried")
    assert dues.amount_due(unknown, date(2026, 1, 1)) is None


def test_rate_is_a_percentage_or_a_flat_amount(db):
    """GIVEN a rate with both WHEN validated THEN refused."""
    rate = DuesRate(
        category="other", effective_from=date(2026, 1, 1), percent=1, flat_amount=1
    )
    with pytest.raises(ValidationError):
        rate.full_clean()


def test_payment_rules(tree, salaried, make_user):
    """GIVEN a salaried member WHEN paying below the amount due, twice, for a
    month before admission, or from another commune THEN refused."""
    secretary = make_user("secretary", tree["a"])
    month = date(2026, 3, 1)
    with pytest.raises(ValidationError, match="below"):
        dues.record_payment(
            salaried, month=month, amount=1000, paid_on=month, acting_user=secretary
        )
    payment = dues.record_payment(
        salaried, month=month, amount=84_500, paid_on=month, acting_user=secretary
    )
    assert payment.organization == tree["cell_a"]
    with pytest.raises(ValidationError, match="already"):
        dues.record_payment(
            salaried, month=month, amount=84_500, paid_on=month, acting_user=secretary
        )
    with pytest.raises(ValidationError, match="owes no dues"):
        dues.record_payment(
            salaried,
            month=date(2009, 1, 1),
            amount=84_500,
            paid_on=month,
            acting_user=secretary,
        )
    with pytest.raises(PermissionDenied):
        dues.record_payment(
            salaried,
            month=date(2026, 4, 1),
            amount=84_500,
            paid_on=month,
            acting_user=make_user("secretary", tree["b"]),
        )


def test_arrears_and_removal_flag(tree, salaried, make_user):
    """GIVEN a member who paid January and April WHEN checked on 10 May THEN
    February and March are in arrears (not flagged); on 10 June May is
    overdue too: 3 unpaid months flag the member for removal."""
    secretary = make_user("secretary", tree["a"])
    for month in (date(2026, 1, 1), date(2026, 4, 1)):
        dues.record_payment(
            salaried, month=month, amount=84_500, paid_on=month, acting_user=secretary
        )
    may = dues.arrears(salaried, date(2026, 5, 10))
    assert may.months == [date(2026, 2, 1), date(2026, 3, 1)]
    assert may.amount == 169_000 and not may.flagged
    june = dues.arrears(salaried, date(2026, 6, 10))
    assert june.flagged
    assert dues.flagged_for_removal(
        tree["a"], user=secretary, on=date(2026, 6, 10)
    ) == [salaried]


def test_arrears_start_at_admission(tree):
    """GIVEN a member admitted in April WHEN checked in May THEN only April is
    owed."""
    member = MemberFactory(
        organization=tree["cell_a"], admission_date=date(2026, 4, 20)
    )
    assert dues.arrears(member, date(2026, 5, 2)).months == [date(2026, 4, 1)]


def test_dues_sheet(tree, salaried, make_user):
    """GIVEN a cell with two members, one paid WHEN the sheet is built for the
    month THEN it shows both, the amounts due and the totals; recording the
    sheet's payments is all-or-nothing."""
    secretary = make_user("secretary", tree["a"])
    other = MemberFactory(organization=tree["cell_a"], dues_category="other")
    month = date(2026, 2, 1)
    dues.record_payment(
        salaried, month=month, amount=90_000, paid_on=month, acting_user=secretary
    )
    sheet = dues.dues_sheet(tree["cell_a"], month, user=secretary, on=date(2026, 3, 5))
    assert [r.member for r in sheet.rows] == sorted(
        [salaried, other], key=lambda m: m.full_name
    )
    assert sheet.total_due == 87_500 and sheet.total_paid == 90_000
    with pytest.raises(ValidationError):
        dues.record_sheet_payments(
            tree["cell_a"],
            month=month,
            member_ids=[other.pk, salaried.pk],
            paid_on=month,
            acting_user=secretary,
        )
    assert not other.dues_payments.exists()
    dues.record_sheet_payments(
        tree["cell_a"],
        month=month,
        member_ids=[other.pk],
        paid_on=month,
        acting_user=secretary,
    )
    assert other.dues_payments.get().amount == 3_000

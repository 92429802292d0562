"""Lifecycle services: every rule and every refusal (GIVEN/WHEN/THEN)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hoso.core.models import AuditEntry
from hoso.members import services, workdays
from hoso.members.choices import EventKind, MemberStatus, TransferStatus
from hoso.members.models import Member, Transfer
from hoso.members.tests.factories import MemberFactory

TODAY = timezone.localdate()


def admit(tree, user, introducers, applicant, admitted_on=date(2024, 6, 1)):
    return services.admit_member(
        organization=tree["cell_a"],
        admitted_on=admitted_on,
        introducers=introducers,
        acting_user=user,
        **applicant,
    )


def test_admission_records_introducers_timeline_and_audit(
    tree, secretary_a, introducers, applicant
):
    """GIVEN two full members of the cell WHEN a 24-year-old is admitted THEN
    the member is probationary for 12 months, the introducers are recorded,
    and the timeline and the audit chain show the admission."""
    member = admit(tree, secretary_a, introducers, applicant)
    assert member.status == MemberStatus.PROBATIONARY
    assert member.probation_ends == date(2025, 6, 1)
    assert {i.introducer_id for i in member.introductions.all()} == {
        m.pk for m in introducers
    }
    assert member.events.get().kind == EventKind.ADMITTED
    assert AuditEntry.objects.filter(action="members.admitted").count() == 1


@pytest.mark.parametrize(
    "born, ok",
    [
        (date(2006, 6, 1), True),  # 18 on the day
        (date(2006, 6, 2), False),  # 18 tomorrow
        (date(1964, 6, 1), True),  # 60 on the day
        (date(1964, 5, 31), False),  # over 60
    ],
)
def test_admission_age_limits(tree, secretary_a, introducers, applicant, born, ok):
    """GIVEN an applicant born on `born` WHEN admitted on 1 June 2024 THEN only
    ages 18 to 60 are accepted, with a message naming the date of birth."""
    applicant["date_of_birth"] = born
    if ok:
        assert admit(tree, secretary_a, introducers, applicant).pk
    else:
        with pytest.raises(ValidationError) as exc:
            admit(tree, secretary_a, introducers, applicant)
        assert "between 18 and 60" in str(exc.value.message_dict["date_of_birth"])
        assert not Member.objects.filter(full_name=applicant["full_name"]).exists()


def test_admission_needs_two_full_member_introducers(
    tree, secretary_a, introducers, applicant
):
    """GIVEN one introducer, the same one twice, or a probationary one WHEN
    admitting THEN it is refused and nothing is stored."""
    for bad in (
        introducers[:1],
        [introducers[0], introducers[0]],
        [
            introducers[0],
            MemberFactory(organization=tree["cell_a"], status="probationary"),
        ],
    ):
        with pytest.raises(ValidationError) as exc:
            admit(tree, secretary_a, bad, applicant)
        assert "introducers" in exc.value.message_dict
    assert not Member.objects.filter(full_name=applicant["full_name"]).exists()


def test_admission_outside_scope_is_refused(tree, secretary_b, introducers, applicant):
    """GIVEN the secretary of commune B WHEN admitting into commune A's cell THEN
    permission is denied."""
    with pytest.raises(PermissionDenied):
        admit(tree, secretary_b, introducers, applicant)


def test_admission_validates_numbers(tree, secretary_a, introducers, applicant):
    """GIVEN a bad card number and biography number WHEN admitting THEN both
    fields are named in one error."""
    applicant.update(card_number="12ab", biography_number="12345")
    with pytest.raises(ValidationError) as exc:
        admit(tree, secretary_a, introducers, applicant)
    assert {"card_number", "biography_number"} <= set(exc.value.message_dict)


def test_full_membership_vote(tree, secretary_a, introducers, applicant):
    """GIVEN a member admitted 12 months ago and 2 full members in the cell
    WHEN both vote for THEN the member is a full member from the end of the
    probation."""
    member = admit(tree, secretary_a, introducers, applicant)
    member = services.decide_full_membership(
        member,
        voted_on=member.probation_ends,
        votes_for=2,
        votes_against=0,
        acting_user=secretary_a,
    )
    assert member.status == MemberStatus.FULL
    assert member.full_membership_date == date(2025, 6, 1)
    assert member.events.last().kind == EventKind.FULL_MEMBERSHIP


def test_full_membership_vote_rejected_removes_from_list(
    tree, secretary_a, introducers, applicant
):
    """GIVEN a probationary member WHEN only half the full members vote for
    THEN the member is removed from the probationary list."""
    member = admit(tree, secretary_a, introducers, applicant)
    member = services.decide_full_membership(
        member,
        voted_on=member.probation_ends,
        votes_for=1,
        votes_against=1,
        acting_user=secretary_a,
    )
    assert member.status == MemberStatus.REMOVED
    assert member.events.last().kind == EventKind.PROBATION_REJECTED


def test_full_membership_vote_refusals(tree, secretary_a, introducers, applicant):
    """GIVEN a probationary member WHEN the vote is before 12 months, counts
    more votes than full members, or is repeated THEN it is refused."""
    member = admit(tree, secretary_a, introducers, applicant)
    with pytest.raises(ValidationError, match="12 months"):
        services.decide_full_membership(
            member,
            voted_on=member.probation_ends - timedelta(days=1),
            votes_for=2,
            votes_against=0,
            acting_user=secretary_a,
        )
    with pytest.raises(ValidationError, match="exceed"):
        services.decide_full_membership(
            member,
            voted_on=member.probation_ends,
            votes_for=3,
            votes_against=0,
            acting_user=secretary_a,
        )
    services.decide_full_membership(
        member,
        voted_on=member.probation_ends,
        votes_for=2,
        votes_against=0,
        acting_user=secretary_a,
    )
    with pytest.raises(ValidationError, match="probationary"):
        services.decide_full_membership(
            member,
            voted_on=member.probation_ends,
            votes_for=2,
            votes_against=0,
            acting_user=secretary_a,
        )


@pytest.fixture
def province_secretary(tree, make_user):
    return make_user("secretary", tree["province"])


def test_official_transfer_counts_at_one_organization(
    tree, secretary_a, secretary_b, province_secretary
):
    """GIVEN a member of cell A-1 WHEN A sends them to cell B-1 THEN they are
    counted at A until B receives them, then at B; always in exactly one."""
    member = MemberFactory(organization=tree["cell_a"])
    sent = TODAY - timedelta(days=3)
    transfer = services.send_transfer(
        member,
        target=tree["cell_b"],
        decided_on=sent,
        sent_on=sent,
        acting_user=secretary_a,
    )
    assert transfer.present_deadline == workdays.add_working_days(sent, 30)
    counts = services.member_counts(tree["province"])
    assert (counts[tree["cell_a"].pk], counts[tree["cell_b"].pk]) == (1, 0)
    # The target sees it in its inbox; the origin cannot receive it.
    assert Transfer.objects.restrict(secretary_b, "view").inbox(None).get() == transfer
    with pytest.raises(PermissionDenied):
        services.receive_transfer(transfer, received_on=TODAY, acting_user=secretary_a)
    services.receive_transfer(transfer, received_on=TODAY, acting_user=secretary_b)
    member.refresh_from_db()
    assert member.organization == tree["cell_b"]
    counts = services.member_counts(tree["province"])
    assert (counts[tree["cell_a"].pk], counts[tree["cell_b"].pk]) == (0, 1)
    assert counts[tree["province"].pk] == 1
    kinds = list(member.events.values_list("kind", flat=True))
    assert kinds == [EventKind.TRANSFER_SENT, EventKind.TRANSFER_RECEIVED]


def test_official_transfer_deadlines(tree, secretary_a, secretary_b):
    """GIVEN a decision WHEN the sending is later than 60 working days THEN it
    is refused; WHEN the member presents after 30 working days THEN the target
    must record the reason."""
    member = MemberFactory(organization=tree["cell_a"])
    decided = date(2026, 1, 5)  # a Monday
    with pytest.raises(ValidationError, match="60 working days"):
        services.send_transfer(
            member,
            target=tree["cell_b"],
            decided_on=decided,
            sent_on=workdays.add_working_days(decided, 61),
            acting_user=secretary_a,
        )
    transfer = services.send_transfer(
        member,
        target=tree["cell_b"],
        decided_on=decided,
        sent_on=decided,
        acting_user=secretary_a,
    )
    # 30 working days: six weeks of weekdays.
    assert transfer.present_deadline == date(2026, 2, 16)
    late = date(2026, 2, 17)
    with pytest.raises(ValidationError) as exc:
        services.receive_transfer(transfer, received_on=late, acting_user=secretary_b)
    assert "late_reason" in exc.value.message_dict
    services.receive_transfer(
        transfer, received_on=late, acting_user=secretary_b, late_reason="Ốm"
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED


def test_transfer_refusals(tree, secretary_a):
    """GIVEN a member WHEN sent to their own cell, twice, or when not on the
    list THEN it is refused."""
    member = MemberFactory(organization=tree["cell_a"])
    with pytest.raises(ValidationError):
        services.send_transfer(
            member,
            target=tree["cell_a"],
            decided_on=TODAY,
            sent_on=TODAY,
            acting_user=secretary_a,
        )
    services.send_transfer(
        member,
        target=tree["cell_b"],
        decided_on=TODAY,
        sent_on=TODAY,
        acting_user=secretary_a,
    )
    with pytest.raises(ValidationError, match="under way"):
        services.send_transfer(
            member,
            target=tree["cell_b"],
            decided_on=TODAY,
            sent_on=TODAY,
            acting_user=secretary_a,
        )
    gone = MemberFactory(organization=tree["cell_a"], status=MemberStatus.DECEASED)
    with pytest.raises(ValidationError, match="on the list"):
        services.send_transfer(
            gone,
            target=tree["cell_b"],
            decided_on=TODAY,
            sent_on=TODAY,
            acting_user=secretary_a,
        )


def test_cancel_transfer(tree, secretary_a):
    """GIVEN a sent transfer WHEN the origin cancels it with a reason THEN the
    member stays at the origin."""
    member = MemberFactory(organization=tree["cell_a"])
    transfer = services.send_transfer(
        member,
        target=tree["cell_b"],
        decided_on=TODAY,
        sent_on=TODAY,
        acting_user=secretary_a,
    )
    with pytest.raises(ValidationError):
        services.cancel_transfer(transfer, acting_user=secretary_a, reason=" ")
    services.cancel_transfer(transfer, acting_user=secretary_a, reason="Đổi ý")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED


def test_temporary_transfer_not_counted_by_host(tree, secretary_a, secretary_b):
    """GIVEN a member of A-1 WHEN temporarily transferred to B-1 for 6 months
    THEN A still counts them and B does not; the host sees the transfer."""
    member = MemberFactory(organization=tree["cell_a"])
    transfer = services.start_temporary_transfer(
        member,
        host=tree["cell_b"],
        starts_on=TODAY,
        ends_on=workdays.add_months(TODAY, 6),
        acting_user=secretary_a,
    )
    counts = services.member_counts(tree["province"])
    assert counts[tree["cell_a"].pk] == 1 and counts[tree["cell_b"].pk] == 0
    assert transfer in Transfer.objects.restrict(secretary_b, "view")
    services.end_temporary_transfer(transfer, ended_on=TODAY, acting_user=secretary_b)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ENDED


@pytest.mark.parametrize(
    "months, purpose, ok",
    [
        (2, "work", False),
        (3, "work", True),
        (12, "work", False),
        (24, "study", True),
        (25, "study", False),
    ],
)
def test_temporary_transfer_duration(tree, secretary_a, months, purpose, ok):
    """GIVEN a temporary transfer of `months` WHEN started THEN 3 months to
    under a year is accepted (study: up to 2 years)."""
    member = MemberFactory(organization=tree["cell_a"])
    call = lambda: services.start_temporary_transfer(  # noqa: E731
        member,
        host=tree["cell_b"],
        starts_on=date(2026, 1, 1),
        ends_on=workdays.add_months(date(2026, 1, 1), months),
        purpose=purpose,
        acting_user=secretary_a,
    )
    if ok:
        call()
    else:
        with pytest.raises(ValidationError):
            call()


def test_exemption_keeps_member_counted(tree, secretary_a):
    """GIVEN a full member WHEN exempted THEN they are still counted; a second
    exemption is refused; the exemption can end."""
    member = MemberFactory(organization=tree["cell_a"])
    services.exempt_member(
        member, since=TODAY, reason="Tuổi cao", acting_user=secretary_a
    )
    assert services.member_counts(tree["cell_a"])[tree["cell_a"].pk] == 1
    with pytest.raises(ValidationError):
        services.exempt_member(member, since=TODAY, reason="x", acting_user=secretary_a)
    member = services.end_exemption(member, on=TODAY, acting_user=secretary_a)
    assert member.exempt_since is None


def test_removal(tree, secretary_a):
    """GIVEN a member WHEN removed without a reason THEN refused; with one THEN
    off the list and not counted; removing again is refused."""
    member = MemberFactory(organization=tree["cell_a"])
    with pytest.raises(ValidationError):
        services.remove_member(member, on=TODAY, reason="", acting_user=secretary_a)
    member = services.remove_member(
        member, on=TODAY, reason="Bỏ sinh hoạt 3 tháng", acting_user=secretary_a
    )
    assert member.status == MemberStatus.REMOVED
    assert services.member_counts(tree["cell_a"])[tree["cell_a"].pk] == 0
    with pytest.raises(ValidationError):
        services.remove_member(member, on=TODAY, reason="x", acting_user=secretary_a)


def test_discipline_probationary_only_first_two_forms(
    tree, secretary_a, introducers, applicant
):
    """GIVEN a probationary member WHEN disciplined by dismissal or expulsion
    THEN refused; a warning is recorded."""
    member = admit(tree, secretary_a, introducers, applicant)
    for form in ("dismissal", "expulsion"):
        with pytest.raises(ValidationError, match="reprimanded or warned"):
            services.discipline_member(
                member, form=form, decided_on=TODAY, reason="x", acting_user=secretary_a
            )
    services.discipline_member(
        member,
        form="warning",
        decided_on=TODAY,
        reason="Vi phạm",
        acting_user=secretary_a,
    )
    assert member.disciplines.get().form == "warning"


def test_expulsion_takes_full_member_off_the_list(tree, secretary_a):
    """GIVEN a full member WHEN expelled THEN off the list with the form of
    leaving recorded for the register."""
    member = MemberFactory(organization=tree["cell_a"])
    services.discipline_member(
        member, form="expulsion", decided_on=TODAY, reason="x", acting_user=secretary_a
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.EXPELLED and member.left_on == TODAY


def test_discipline_needs_the_permission(tree, make_user):
    """GIVEN a clerk (no discipline permission) WHEN disciplining THEN denied."""
    member = MemberFactory(organization=tree["cell_a"])
    clerk = make_user("clerk", tree["a"])
    with pytest.raises(PermissionDenied):
        services.discipline_member(
            member, form="warning", decided_on=TODAY, reason="x", acting_user=clerk
        )


def test_death(tree, secretary_a):
    """GIVEN a member WHEN death is recorded THEN off the list with the date;
    a future date is refused."""
    member = MemberFactory(organization=tree["cell_a"])
    with pytest.raises(ValidationError):
        services.record_death(
            member, died_on=TODAY + timedelta(days=1), acting_user=secretary_a
        )
    member = services.record_death(member, died_on=TODAY, acting_user=secretary_a)
    assert member.status == MemberStatus.DECEASED and member.died_on == TODAY


def test_counts_reconcile_up_the_tree(tree):
    """GIVEN members spread over cells and a grassroots organization WHEN
    counting THEN every organization's count equals its own members plus the
    sum of its children's counts, and the root holds them all."""
    from hoso.core.testing.factories import OrganizationFactory
    from hoso.organizations.choices import Kind, Level
    from hoso.organizations.models import Organization

    grassroots = OrganizationFactory(
        parent=tree["a"], level=Level.GRASSROOTS, kind=Kind.GRASSROOTS, code="G"
    )
    cell = OrganizationFactory(
        parent=grassroots, level=Level.CELL, kind=Kind.CELL, code="G-1"
    )
    for org, n in (
        (tree["cell_a"], 3),
        (tree["cell_b"], 2),
        (grassroots, 1),
        (cell, 4),
    ):
        for _ in range(n):
            MemberFactory(organization=org)
    MemberFactory(organization=cell, status=MemberStatus.REMOVED)
    counts = services.member_counts(tree["central"])
    direct = {
        org.pk: Member.objects.current().filter(organization=org).count()
        for org in Organization.objects.all()
    }
    for org in Organization.objects.all():
        children = Organization.objects.filter(parent=org)
        assert counts[org.pk] == direct[org.pk] + sum(counts[c.pk] for c in children)
    assert counts[tree["central"].pk] == 10
    assert counts[grassroots.pk] == 5


def test_member_for_user_and_persons_in(tree):
    """GIVEN a member linked to a sign-in WHEN looked up THEN found; persons_in
    lists the linked persons of current members only."""
    from hoso.core.testing.factories import PersonFactory

    person = PersonFactory()
    member = MemberFactory(organization=tree["cell_a"], person=person)
    gone = MemberFactory(
        organization=tree["cell_a"], person=PersonFactory(), status="removed"
    )
    assert services.member_for_user(person.user) == member
    assert services.member_for_user(gone.person.user) == gone
    assert list(services.persons_in(tree["cell_a"])) == [person]
    assert services.member_for_user(None) is None


def test_sensitive_fields_need_the_permission(tree, make_user):
    """GIVEN a specialist-like role with change but not sensitive permission
    WHEN changing the citizen ID THEN denied; the secretary may."""
    from hoso.core.testing.factories import PersonFactory, PositionFactory, RoleFactory

    member = MemberFactory(organization=tree["cell_a"])
    person = PersonFactory()
    PositionFactory(
        person=person,
        organization=tree["a"],
        role=RoleFactory(permissions=["members.view_member", "members.change_member"]),
    )
    with pytest.raises(PermissionDenied):
        services.update_profile(
            member, citizen_id="012345678901", acting_user=person.user
        )
    services.update_profile(member, occupation="Nông dân", acting_user=person.user)
    secretary = make_user("secretary", tree["a"])
    member = services.update_profile(
        member, citizen_id="012345678901", acting_user=secretary
    )
    assert member.citizen_id == "012345678901"


def test_photo_checked_by_content(tree, secretary_a):
    """GIVEN a text file named like a photo WHEN stored THEN refused; a PNG is
    accepted."""
    member = MemberFactory(organization=tree["cell_a"])
    with pytest.raises(ValidationError):
        services.set_photo(member, b"<html>", acting_user=secretary_a)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    assert services.set_photo(member, png, acting_user=secretary_a).photo_type == (
        "image/png"
    )

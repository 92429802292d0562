"""Annual rating: stages, four levels, the 20% cap."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hoso.core.testing.factories import OrganizationFactory, PersonFactory
from hoso.members import rating as rating_service
from hoso.members.choices import EventKind, RatingRoundStatus
from hoso.members.tests.factories import MemberFactory
from hoso.organizations.choices import Kind, Level


@pytest.fixture
def grassroots(tree):
    org = OrganizationFactory(
        parent=tree["a"], level=Level.GRASSROOTS, kind=Kind.GRASSROOTS, code="GR"
    )
    cell = OrganizationFactory(
        parent=org, level=Level.CELL, kind=Kind.CELL, code="GR-1"
    )
    members = [MemberFactory(organization=cell) for _ in range(11)]
    return org, cell, members


def test_round_stages_and_cap(grassroots, make_user, tree):
    """GIVEN a grassroots organization with 11 members WHEN 5 are proposed
    "good" and 2 "excellent" THEN the decision is refused with a clear
    message (at most 1); with 10 good and 1 excellent it is decided."""
    org, cell, members = grassroots
    secretary = make_user("secretary", tree["a"])
    rnd = rating_service.open_round(org, year=2026, acting_user=secretary)
    ratings = {r.member_id: r for r in rnd.ratings.all()}
    assert len(ratings) == 11
    # A member assesses themselves.
    person = PersonFactory()
    members[0].person = person
    members[0].save()
    rating_service.self_assess(
        ratings[members[0].pk], level="good", acting_user=person.user
    )
    stranger = PersonFactory().user
    with pytest.raises(PermissionDenied):
        rating_service.self_assess(
            ratings[members[1].pk], level="good", acting_user=stranger
        )
    with pytest.raises(ValidationError, match="not in the cell review"):
        rating_service.cell_review(
            ratings[members[0].pk], level="good", acting_user=secretary
        )
    rating_service.advance_round(rnd, acting_user=secretary)
    with pytest.raises(ValidationError, match="over"):
        rating_service.self_assess(
            ratings[members[1].pk], level="good", acting_user=secretary
        )
    with pytest.raises(ValidationError, match="no level"):
        rating_service.decide_round(
            rnd, decided_on=date(2026, 12, 20), acting_user=secretary
        )
    levels = ["excellent"] * 2 + ["good"] * 5 + ["completed"] * 4
    for member, level in zip(members, levels, strict=True):
        rating_service.cell_review(
            ratings[member.pk], level=level, acting_user=secretary
        )
    with pytest.raises(ValidationError) as exc:
        rating_service.decide_round(
            rnd, decided_on=date(2026, 12, 20), acting_user=secretary
        )
    assert "at most 1 may be excellent, not 2" in str(exc.value)
    rnd.refresh_from_db()
    assert rnd.status == RatingRoundStatus.CELL_REVIEW
    overrides = {ratings[m.pk].pk: "good" for m in members[1:]}
    rating_service.decide_round(
        rnd, decided_on=date(2026, 12, 20), acting_user=secretary, levels=overrides
    )
    rnd.refresh_from_db()
    assert rnd.status == RatingRoundStatus.DECIDED
    assert members[0].events.filter(kind=EventKind.RATED).exists()


def test_round_only_in_grassroots_and_once_a_year(grassroots, tree, make_user):
    """GIVEN a commune WHEN opening a round there THEN refused; a second round
    for the same year is refused; a cell secretary cannot open one."""
    org, cell, _members = grassroots
    secretary = make_user("secretary", tree["a"])
    with pytest.raises(ValidationError):
        rating_service.open_round(tree["a"], year=2026, acting_user=secretary)
    rating_service.open_round(org, year=2026, acting_user=secretary)
    with pytest.raises(ValidationError):
        rating_service.open_round(org, year=2026, acting_user=secretary)
    with pytest.raises(PermissionDenied):
        rating_service.open_round(
            org, year=2027, acting_user=make_user("secretary", cell)
        )


@pytest.mark.parametrize(
    "good, excellent, ok",
    [(0, 0, True), (4, 1, False), (5, 1, True), (10, 2, True), (14, 3, False)],
)
def test_cap(good, excellent, ok):
    assert (
        rating_service.check_cap(["good"] * good + ["excellent"] * excellent).ok is ok
    )

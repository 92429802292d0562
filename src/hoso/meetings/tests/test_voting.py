"""Votes in a meeting: eligibility, one ballot per voter, live results,
and ballot secrecy proven on the database itself."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from hoso.core.models import AuditEntry
from hoso.meetings import services
from hoso.meetings.choices import VoteKind
from hoso.meetings.models import BallotReceipt, OpenBallot, SecretBallot


def _members(cell_people):
    return [cell_people["secretary"], *cell_people["members"]]


def test_open_vote_records_who_chose_what(running, cell_people):
    chair = cell_people["secretary"].user
    vote = services.create_vote(
        running,
        question="Thông qua nghị quyết?",
        kind=VoteKind.YES_NO,
        acting_user=chair,
    )
    services.open_vote(vote, acting_user=chair)
    for person, choice in zip(
        _members(cell_people), ["yes", "yes", "yes", "no", "abstain"], strict=True
    ):
        services.cast_ballot(vote, acting_user=person.user, choice=choice)
    live = services.tally(vote)
    assert live["counts"] == {"yes": 3, "no": 1, "abstain": 1}
    closed = services.close_vote(vote, acting_user=chair)
    assert closed.result["passed"] is True
    assert OpenBallot.objects.filter(
        vote=vote, participant__person=cell_people["members"][2], choice="no"
    ).exists()


def test_each_voter_votes_once(running, cell_people):
    """GIVEN a voter who has voted
    WHEN they cast a second ballot
    THEN it is refused and nothing is written."""
    chair = cell_people["secretary"].user
    vote = services.create_vote(
        running, question="Q", kind=VoteKind.YES_NO, secret=True, acting_user=chair
    )
    services.open_vote(vote, acting_user=chair)
    voter = cell_people["members"][0].user
    services.cast_ballot(vote, acting_user=voter, choice="yes")
    with pytest.raises(ValidationError, match="already voted"):
        services.cast_ballot(vote, acting_user=voter, choice="no")
    assert SecretBallot.objects.filter(vote=vote).count() == 1
    assert BallotReceipt.objects.filter(vote=vote).count() == 1


def test_only_present_voters_vote(meeting, cell_people):
    chair = cell_people["secretary"].user
    services.start_meeting(meeting, acting_user=chair)
    vote = services.create_vote(
        meeting, question="Q", kind=VoteKind.YES_NO, acting_user=chair
    )
    services.open_vote(vote, acting_user=chair)
    with pytest.raises(ValidationError, match="Check in"):
        services.cast_ballot(
            vote, acting_user=cell_people["members"][0].user, choice="yes"
        )


def test_bad_ballots_are_refused(running, cell_people):
    chair = cell_people["secretary"].user
    vote = services.create_vote(
        running,
        question="Bầu 1 trong 3",
        kind=VoteKind.CHOOSE,
        options=["A", "B", "C"],
        seats=1,
        acting_user=chair,
    )
    services.open_vote(vote, acting_user=chair)
    voter = cell_people["members"][0].user
    a, b, _c = vote.options.values_list("pk", flat=True)
    for bad in ["yes", [a, b], [999999], [a, a], [True]]:
        with pytest.raises(ValidationError):
            services.cast_ballot(vote, acting_user=voter, choice=bad)
    assert not BallotReceipt.objects.exists()
    services.cast_ballot(vote, acting_user=voter, choice=[a])


def test_closed_vote_refuses_ballots(running, cell_people):
    chair = cell_people["secretary"].user
    vote = services.create_vote(
        running, question="Q", kind=VoteKind.YES_NO, acting_user=chair
    )
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, acting_user=chair, choice="yes")  # still a draft
    services.open_vote(vote, acting_user=chair)
    services.close_vote(vote, acting_user=chair)
    with pytest.raises(ValidationError):
        services.cast_ballot(vote, acting_user=chair, choice="yes")


def test_vote_validation(running, cell_people):
    chair = cell_people["secretary"].user
    with pytest.raises(ValidationError) as error:
        services.create_vote(
            running, question="", kind=VoteKind.RANKED, options=["A"], acting_user=chair
        )
    assert {"question", "options"} <= set(error.value.message_dict)


def _columns(table):
    with connection.cursor() as cursor:
        return {
            c.name
            for c in connection.introspection.get_table_description(cursor, table)
        }


def _relations(table):
    with connection.cursor() as cursor:
        return {
            target_table
            for _column, (
                _target_column,
                target_table,
            ) in connection.introspection.get_relations(cursor, table).items()
        }


def test_secret_ballot_schema_has_no_link_to_the_voter(db):
    """The secret ballot table holds a random id, the vote and the choice:
    no voter, participant, person, user or time column, and no foreign key
    to anything but the vote. The receipt table holds no choice."""
    assert _columns("meetings_secretballot") == {"id", "vote_id", "choice"}
    assert _relations("meetings_secretballot") == {"meetings_vote"}
    assert _columns("meetings_ballotreceipt") == {"id", "vote_id", "participant_id"}
    assert "choice" not in _columns("meetings_ballotreceipt")


def test_secret_ballot_rows_cannot_be_relinked(running, cell_people, tree):
    """GIVEN a secret ranked vote where every voter casts a distinct ballot
    WHEN the rows are read back (by key, and in the table's own order)
    THEN the ids are random (not a sequence), the rows are not in casting
    order, the ballots carry no time, and the audit log says who voted but
    never what they chose."""
    from hoso.accounts.models import Role
    from hoso.core.testing.factories import PersonFactory, PositionFactory

    chair = cell_people["secretary"].user
    extra = []
    for n in range(15):
        person = PersonFactory(full_name=f"Thêm {n}")
        PositionFactory(
            person=person,
            organization=tree["cell_a"],
            role=Role.objects.get(code="member"),
        )
        extra.append(person)
    services.invite(running, extra, acting_user=chair)
    for participant in running.participants.filter(person__in=extra):
        services.check_in_with_token(
            running, services.checkin_token(participant), acting_user=chair
        )
    voters = _members(cell_people) + extra
    vote = services.create_vote(
        running,
        question="Xếp hạng",
        kind=VoteKind.RANKED,
        secret=True,
        options=["A", "B", "C", "D", "E"],
        acting_user=chair,
    )
    services.open_vote(vote, acting_user=chair)
    options = list(vote.options.values_list("pk", flat=True))
    cast_order = [
        list(p) for p in itertools.islice(itertools.permutations(options), len(voters))
    ]
    for person, ballot in zip(voters, cast_order, strict=True):
        services.cast_ballot(vote, acting_user=person.user, choice=ballot)

    def physical_order():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, choice FROM meetings_secretballot")
            return cursor.fetchall()

    rows = physical_order()
    ids = [row[0] for row in rows]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert len({i[:8] for i in ids}) == len(ids)  # random, not a counter
    if connection.vendor == "sqlite":
        # WITHOUT ROWID: no hidden insertion counter to sort by.
        with pytest.raises(Exception), connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM meetings_secretballot")
        assert [r.choice for r in SecretBallot.objects.order_by("id")] != cast_order
    services.close_vote(vote, acting_user=chair)
    import json

    stored = [json.loads(c) if isinstance(c, str) else c for _i, c in physical_order()]
    assert sorted(stored) == sorted(cast_order)
    assert stored != cast_order
    assert [b.choice for b in SecretBallot.objects.order_by("id")] != cast_order
    cast_entries = AuditEntry.objects.filter(action="meetings.ballot_cast")
    assert cast_entries.count() == len(voters)
    assert all("choice" not in entry.changes for entry in cast_entries)
    assert set(
        BallotReceipt.objects.filter(vote=vote).values_list(
            "participant__person", flat=True
        )
    ) == {p.pk for p in voters}
    result = vote.__class__.objects.get(pk=vote.pk).result
    assert result["cast"] == len(voters)

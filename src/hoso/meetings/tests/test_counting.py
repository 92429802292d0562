"""Vote counting: motions, elections and the instant runoff (checked by
hypothesis against a reference implementation written here)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from hoso.meetings.counting import count_choice, count_motion, instant_runoff


def reference_runoff(ballots, candidates):
    """Instant runoff, written independently of the product's code: tally
    top preferences among the remaining candidates; more than half of the
    live ballots wins; else drop the weakest (the later listed on a tie);
    everybody equal means a tie."""
    remaining = list(candidates)
    while remaining:
        tallies = Counter()
        for ballot in ballots:
            live = [c for c in ballot if c in remaining]
            if live:
                tallies[live[0]] += 1
        total = sum(tallies.values())
        if total == 0:
            return None
        scores = {c: tallies[c] for c in remaining}
        best = max(scores.values())
        if 2 * best > total:
            return [c for c in remaining if scores[c] == best][0]
        if len(set(scores.values())) == 1:
            return None
        weakest = sorted(remaining, key=lambda c: (scores[c], -remaining.index(c)))[0]
        remaining = [c for c in remaining if c != weakest]
    return None


candidate_lists = st.lists(st.integers(1, 7), min_size=1, max_size=6, unique=True)


@st.composite
def elections(draw):
    candidates = draw(candidate_lists)
    ballot = st.permutations(candidates).flatmap(
        lambda order: st.integers(1, len(order)).map(lambda n: list(order[:n]))
    )
    ballots = draw(st.lists(ballot, max_size=40))
    return candidates, ballots


@settings(max_examples=400, deadline=None)
@given(elections())
def test_runoff_matches_reference(election):
    candidates, ballots = election
    assert instant_runoff(ballots, candidates).winner == reference_runoff(
        ballots, candidates
    )


@settings(max_examples=200, deadline=None)
@given(elections())
def test_runoff_winner_has_a_majority_in_the_last_round(election):
    candidates, ballots = election
    result = instant_runoff(ballots, candidates)
    if result.winner is not None:
        last = result.rounds[-1]
        assert 2 * last[result.winner] > sum(last.values())
        assert result.winner not in result.eliminated


def test_runoff_transfers_votes():
    """A 40 / B 35 / C 25, C's voters prefer B: B wins in round two."""
    ballots = [[1]] * 40 + [[2]] * 35 + [[3, 2]] * 25
    result = instant_runoff(ballots, [1, 2, 3])
    assert result.winner == 2
    assert result.eliminated == [3]
    assert result.rounds[1] == {1: 40, 2: 60}


def test_runoff_tie_has_no_winner():
    assert instant_runoff([[1], [2]], [1, 2]).winner is None
    assert instant_runoff([], [1, 2]).winner is None


def test_motion_rules():
    choices = ["yes"] * 5 + ["no"] * 3 + ["abstain"] * 2
    result = count_motion(choices, eligible=12, quorum_percent=50, rule="half_cast")
    assert result["counts"] == {"yes": 5, "no": 3, "abstain": 2}
    assert result["quorum_met"] and not result["passed"]  # 5 of 10 is not > half
    assert count_motion(choices, eligible=12, quorum_percent=50, rule="simple")[
        "passed"
    ]
    assert not count_motion(choices, eligible=12, quorum_percent=90, rule="simple")[
        "passed"
    ]  # no quorum
    assert not count_motion(
        ["yes"] * 6 + ["no"] * 4, eligible=10, quorum_percent=0, rule="two_thirds"
    )["passed"]
    assert count_motion(
        ["yes"] * 7 + ["no"] * 3, eligible=10, quorum_percent=0, rule="two_thirds"
    )["passed"]
    assert not count_motion(
        ["yes"] * 6, eligible=12, quorum_percent=0, rule="half_eligible"
    )["passed"]


def test_choice_elects_the_best_placed_with_a_majority():
    ballots = [[1, 2]] * 6 + [[2, 3]] * 3 + [[3]] * 1
    result = count_choice(
        ballots, [1, 2, 3], seats=2, eligible=10, quorum_percent=50, rule="half_cast"
    )
    assert result["elected"] == [2, 1]  # 9 and 6 votes of 10; 3 has 4
    tie = count_choice(
        [[1], [2], [1], [2]],
        [1, 2],
        seats=1,
        eligible=4,
        quorum_percent=50,
        rule="simple",
    )
    assert tie["elected"] == [] and sorted(tie["tied"]) == [1, 2]

"""Counting ballots: motions, elections (choose up to n) and ranked
choices (instant runoff), with the quorum and majority rules of a vote.

Pure functions of the ballots, so they are tested on their own (hypothesis
checks the instant runoff against an independent implementation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from hoso.meetings.choices import ABSTAIN, NO, YES, Majority


def quorum_met(cast: int, eligible: int, quorum_percent: int) -> bool:
    """At least `quorum_percent` % of the eligible voters cast a ballot."""
    return eligible > 0 and cast * 100 >= quorum_percent * eligible


def passes(
    votes_for: int, *, against: int, cast: int, eligible: int, rule: str
) -> bool:
    """Whether `votes_for` meets the majority rule."""
    if rule == Majority.SIMPLE:
        return votes_for > against
    if rule == Majority.HALF_OF_CAST:
        return votes_for * 2 > cast
    if rule == Majority.HALF_OF_ELIGIBLE:
        return votes_for * 2 > eligible
    if rule == Majority.TWO_THIRDS_OF_CAST:
        return cast > 0 and votes_for * 3 >= cast * 2
    raise ValueError(f"unknown majority rule {rule!r}")


def count_motion(
    choices: Iterable[str], *, eligible: int, quorum_percent: int, rule: str
) -> dict:
    """Yes / no / abstain: counts, quorum and whether the motion passed."""
    counts = {YES: 0, NO: 0, ABSTAIN: 0}
    for choice in choices:
        counts[choice] += 1
    cast = sum(counts.values())
    quorum = quorum_met(cast, eligible, quorum_percent)
    return {
        "counts": counts,
        "cast": cast,
        "eligible": eligible,
        "quorum_met": quorum,
        "passed": quorum
        and passes(
            counts[YES], against=counts[NO], cast=cast, eligible=eligible, rule=rule
        ),
    }


def count_choice(
    ballots: Iterable[Sequence[int]],
    options: Sequence[int],
    *,
    seats: int,
    eligible: int,
    quorum_percent: int,
    rule: str,
) -> dict:
    """Choose up to `seats` of `options`: each candidate's votes; elected are
    the best placed candidates that meet the majority rule, at most `seats`
    of them. Candidates tied across the last seat are not elected and are
    reported as a tie (the meeting votes again between them)."""
    counts = dict.fromkeys(options, 0)
    cast = 0
    for ballot in ballots:
        cast += 1
        for option in ballot:
            counts[option] += 1
    quorum = quorum_met(cast, eligible, quorum_percent)
    # In an election "more yes than no" means plurality: the most votes win.
    qualified = [
        option
        for option in options
        if counts[option] > 0
        and (
            rule == Majority.SIMPLE
            or passes(
                counts[option],
                against=cast - counts[option],
                cast=cast,
                eligible=eligible,
                rule=rule,
            )
        )
    ]
    qualified.sort(key=lambda option: -counts[option])
    elected = qualified[:seats]
    tied: list[int] = []
    if len(qualified) > seats and seats > 0:
        boundary = counts[qualified[seats - 1]]
        if counts[qualified[seats]] == boundary:
            tied = [o for o in qualified if counts[o] == boundary]
            elected = [o for o in elected if counts[o] > boundary]
    return {
        "counts": {str(k): v for k, v in counts.items()},
        "cast": cast,
        "eligible": eligible,
        "quorum_met": quorum,
        "elected": elected if quorum else [],
        "tied": tied if quorum else [],
    }


@dataclass
class RunoffResult:
    """The rounds of an instant runoff and its winner (None: no ballots, or
    every remaining candidate tied)."""

    winner: int | None
    rounds: list[dict[int, int]] = field(default_factory=list)
    eliminated: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["rounds"] = [{str(k): v for k, v in r.items()} for r in self.rounds]
        return data


def instant_runoff(
    ballots: Iterable[Sequence[int]], candidates: Sequence[int]
) -> RunoffResult:
    """Instant-runoff count.

    Each round counts every ballot for its highest-ranked continuing
    candidate (ballots with none left are exhausted). A candidate with more
    than half of the ballots still counting wins. Otherwise the candidate
    with the fewest votes is eliminated; among several with the fewest, the
    one listed last. When every continuing candidate has the same count the
    result is a tie (no winner).
    """
    ballots = [tuple(ballot) for ballot in ballots]
    continuing = list(candidates)
    result = RunoffResult(winner=None)
    while continuing:
        alive = set(continuing)
        counts = dict.fromkeys(continuing, 0)
        for ballot in ballots:
            for candidate in ballot:
                if candidate in alive:
                    counts[candidate] += 1
                    break
        result.rounds.append(counts)
        active = sum(counts.values())
        if active == 0:
            return result
        top = max(counts.values())
        if top * 2 > active:
            result.winner = next(c for c in continuing if counts[c] == top)
            return result
        low = min(counts.values())
        if low == top:
            return result
        loser = [c for c in continuing if counts[c] == low][-1]
        continuing.remove(loser)
        result.eliminated.append(loser)
    return result


def count_ranked(
    ballots: Iterable[Sequence[int]],
    options: Sequence[int],
    *,
    eligible: int,
    quorum_percent: int,
) -> dict:
    """A ranked vote: the instant runoff, with the quorum."""
    ballots = list(ballots)
    runoff = instant_runoff(ballots, options)
    quorum = quorum_met(len(ballots), eligible, quorum_percent)
    return {
        "cast": len(ballots),
        "eligible": eligible,
        "quorum_met": quorum,
        "winner": runoff.winner if quorum else None,
        "runoff": runoff.as_dict(),
    }

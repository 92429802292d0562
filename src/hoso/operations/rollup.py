"""Rolling indicator values up the organization tree.

A node's result is its own value (entered, reported or computed) when it has
one, otherwise its children's results combined by the indicator's rule. The
result also counts the green, yellow and red nodes below it. Results are
updated incrementally on every write: the changed node and its ancestors
(at most five levels, each reading only its children's results), inside the
writer's transaction, so the dashboard is current the moment it commits.
`rebuild()` recomputes a whole indicator period bottom-up in one pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hoso.operations.choices import Light, RollupRule
from hoso.operations.models import Indicator, IndicatorResult, IndicatorValue


@dataclass
class Child:
    """What the roll-up needs of a child's result."""

    value: float | None
    weight: float
    light: int
    numerator: int | None = None
    denominator: int | None = None


def combine(rule: str, children: Iterable[Child]) -> tuple[float | None, float]:
    """(value, weight) of a parent from its children with a result.

    Children without a value are ignored; no child with a value gives
    (None, 0). The weight of the parent is the sum of its children's.
    """
    known = [c for c in children if c.value is not None]
    if not known:
        return None, 0.0
    weight = sum(c.weight for c in known)
    values = [c.value for c in known]
    if rule == RollupRule.SUM:
        return sum(values), weight
    if rule == RollupRule.MIN:
        return min(values), weight
    if rule == RollupRule.WEIGHTED_MEAN:
        if weight <= 0:
            return sum(values) / len(values), weight
        return sum(c.value * c.weight for c in known) / weight, weight
    if rule == RollupRule.SHARE_GREEN:
        lit = [c for c in known if c.light != Light.NONE]
        if not lit:
            return None, weight
        green = sum(1 for c in lit if c.light == Light.GREEN)
        return 100.0 * green / len(lit), weight
    return sum(values) / len(values), weight


def rolled_light(indicator: Indicator, value: float | None) -> int:
    """The light of a rolled-up value: by the share thresholds under the
    "share of children green" rule, else by the indicator's thresholds."""
    if value is None:
        return Light.NONE
    if indicator.rule == RollupRule.SHARE_GREEN:
        if value >= indicator.rollup_green_from:
            return Light.GREEN
        if value >= indicator.rollup_yellow_from:
            return Light.YELLOW
        return Light.RED
    return indicator.light(value)


def _counts_from(children: list[IndicatorResult]) -> tuple[int, int, int]:
    green = yellow = red = 0
    for child in children:
        green += child.green_below + (child.light == Light.GREEN)
        yellow += child.yellow_below + (child.light == Light.YELLOW)
        red += child.red_below + (child.light == Light.RED)
    return green, yellow, red


def _apply_own(result: IndicatorResult, indicator: Indicator, own) -> None:
    result.value = own.value
    result.weight = own.weight
    result.numerator = own.numerator
    result.denominator = own.denominator
    result.light = indicator.light(own.value)
    result.own = True


def recompute_node(indicator: Indicator, organization, period_start: date) -> None:
    """Recompute one node's result from its own value or its children's
    results (call deepest first)."""
    children = list(
        IndicatorResult.objects.filter(
            indicator=indicator,
            period_start=period_start,
            parent_id_copy=organization.pk,
        )
    )
    own = IndicatorValue.objects.filter(
        indicator=indicator, organization=organization, period_start=period_start
    ).first()
    result = IndicatorResult.objects.filter(
        indicator=indicator, organization=organization, period_start=period_start
    ).first() or IndicatorResult(
        indicator=indicator,
        organization=organization,
        period_start=period_start,
    )
    result.org_path = organization.path
    result.parent_id_copy = organization.parent_id
    result.green_below, result.yellow_below, result.red_below = _counts_from(children)
    if own is not None:
        _apply_own(result, indicator, own)
    else:
        value, weight = combine(
            indicator.rule,
            [Child(c.value, c.weight, c.light) for c in children],
        )
        result.value, result.weight = value, weight
        result.numerator = result.denominator = None
        result.light = rolled_light(indicator, value)
        result.own = False
    if result.pk is None and result.value is None and not children:
        return
    result.save()


def refresh_upwards(indicator: Indicator, organization, period_start: date) -> None:
    """Recompute a node and every ancestor, deepest first."""
    from hoso.organizations.models import Organization

    chain = list(
        Organization.objects.filter(
            pk__in=[*organization.ancestor_ids(), organization.pk]
        ).order_by("-depth")
    )
    for node in chain:
        recompute_node(indicator, node, period_start)


def rebuild(indicator: Indicator, period_start: date, *, batch: int = 2000) -> int:
    """Recompute every result of an indicator period bottom-up in memory and
    replace the stored results; returns how many results were written."""
    from hoso.organizations.models import Organization

    nodes = list(
        Organization.objects.values_list("pk", "parent_id", "path", "depth").order_by(
            "-depth"
        )
    )
    own = {
        v.organization_id: v
        for v in IndicatorValue.objects.filter(
            indicator=indicator, period_start=period_start
        )
    }
    children: dict[int, list[IndicatorResult]] = defaultdict(list)
    results: list[IndicatorResult] = []
    for pk, parent_id, path, _depth in nodes:
        kids = children.pop(pk, [])
        result = IndicatorResult(
            indicator=indicator,
            organization_id=pk,
            parent_id_copy=parent_id,
            org_path=path,
            period_start=period_start,
        )
        result.green_below, result.yellow_below, result.red_below = _counts_from(kids)
        if pk in own:
            _apply_own(result, indicator, own[pk])
        else:
            value, weight = combine(
                indicator.rule, [Child(c.value, c.weight, c.light) for c in kids]
            )
            result.value, result.weight = value, weight
            result.light = rolled_light(indicator, value)
        if result.value is None and not kids:
            continue
        results.append(result)
        if parent_id is not None:
            children[parent_id].append(result)
    IndicatorResult.objects.filter(
        indicator=indicator, period_start=period_start
    ).delete()
    IndicatorResult.objects.bulk_create(results, batch_size=batch)
    return len(results)

"""Roll-up rules and thresholds: the parent's light follows from the
children by the rule (hypothesis), incrementally and in a full rebuild."""

import math
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoso.core.testing.factories import OrganizationFactory
from hoso.operations import rollup
from hoso.operations.choices import Light, RollupRule
from hoso.operations.models import Indicator, IndicatorResult, IndicatorValue

PERIOD = date(2026, 10, 1)


def light_oracle(direction, green, yellow, value):
    """An independent statement of the threshold rule."""
    if value is None:
        return Light.NONE
    better_or_equal = (
        (lambda a, b: a >= b) if direction == "higher" else (lambda a, b: a <= b)
    )
    if better_or_equal(value, green):
        return Light.GREEN
    if better_or_equal(value, yellow):
        return Light.YELLOW
    return Light.RED


def parent_oracle(indicator, children):
    """(value, light) of a parent from [(value, weight)] of its children."""
    known = [(v, w) for v, w in children if v is not None]
    if not known:
        return None, Light.NONE
    values = [v for v, _w in known]
    rule = indicator.rule
    if rule == "sum":
        value = sum(values)
    elif rule == "min":
        value = min(values)
    elif rule == "weighted_mean":
        total = sum(w for _v, w in known)
        value = (
            sum(v * w for v, w in known) / total
            if total > 0
            else sum(values) / len(values)
        )
    elif rule == "share_green":
        lights = [indicator.light(v) for v in values]
        value = 100 * lights.count(Light.GREEN) / len(lights)
        if value >= indicator.rollup_green_from:
            return value, Light.GREEN
        if value >= indicator.rollup_yellow_from:
            return value, Light.YELLOW
        return value, Light.RED
    else:
        value = sum(values) / len(values)
    return value, indicator.light(value)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(direction=st.sampled_from(["higher", "lower"]), a=finite, b=finite, v=finite)
def test_threshold_light(direction, a, b, v):
    green, yellow = (
        (max(a, b), min(a, b))
        if direction == "higher"
        else (
            min(a, b),
            max(a, b),
        )
    )
    indicator = Indicator(direction=direction, green_from=green, yellow_from=yellow)
    assert indicator.light(v) == light_oracle(direction, green, yellow, v)


def test_threshold_boundaries():
    higher = Indicator(direction="higher", green_from=90, yellow_from=70)
    assert [higher.light(x) for x in (90, 89.9, 70, 69.9)] == [3, 2, 2, 1]
    lower = Indicator(direction="lower", green_from=2, yellow_from=5)
    assert [lower.light(x) for x in (2, 2.1, 5, 5.1, None)] == [3, 2, 2, 1, 0]


@pytest.mark.django_db
def test_thresholds_must_follow_the_direction():
    indicator = Indicator(
        code="x", name="x", direction="higher", green_from=50, yellow_from=70
    )
    with pytest.raises(ValidationError) as excinfo:
        indicator.full_clean()
    assert "green must start at or above yellow" in str(excinfo.value)
    indicator.direction = "lower"
    indicator.full_clean()
    indicator.computed = "nonsense"
    with pytest.raises(ValidationError):
        indicator.full_clean()


@pytest.fixture
def family(db):
    parent = OrganizationFactory(code="R-P")
    children = [OrganizationFactory(parent=parent, code=f"R-C{i}") for i in range(5)]
    grandchild = OrganizationFactory(parent=children[0], code="R-G")
    return parent, children, grandchild


child_values = st.lists(
    st.one_of(
        st.none(),
        st.tuples(
            st.floats(min_value=0, max_value=1000, allow_nan=False),
            st.floats(min_value=0, max_value=50, allow_nan=False),
        ),
    ),
    min_size=5,
    max_size=5,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rule=st.sampled_from(RollupRule.values),
    direction=st.sampled_from(["higher", "lower"]),
    values=child_values,
)
def test_parent_follows_children_by_rule(family, rule, direction, values):
    """GIVEN an indicator with a rule and thresholds, and values at some of
    a node's children
    WHEN the values are written (each write rolls up incrementally)
    THEN the parent's value and light follow from the children by the rule,
    the counts below match the children's lights, and a full rebuild gives
    the same results."""
    parent, children, _grandchild = family
    IndicatorResult.objects.all().delete()
    IndicatorValue.objects.all().delete()
    Indicator.objects.all().delete()
    green, yellow = (300.0, 100.0) if direction == "higher" else (100.0, 300.0)
    indicator = Indicator.objects.create(
        code="h",
        name="h",
        direction=direction,
        green_from=green,
        yellow_from=yellow,
        rule=rule,
    )
    for child, entry in zip(children, values, strict=True):
        if entry is None:
            continue
        IndicatorValue.objects.create(
            indicator=indicator,
            organization=child,
            org_path=child.path,
            period_start=PERIOD,
            value=entry[0],
            weight=entry[1],
        )
        rollup.refresh_upwards(indicator, child, PERIOD)

    expected_value, expected_light = parent_oracle(
        indicator, [e if e else (None, 0) for e in values]
    )
    result = IndicatorResult.objects.filter(
        indicator=indicator, organization=parent, period_start=PERIOD
    ).first()
    if expected_value is None:
        assert result is None or result.light == Light.NONE
        return
    assert math.isclose(result.value, expected_value, rel_tol=1e-9, abs_tol=1e-9)
    assert result.light == expected_light
    child_lights = [indicator.light(e[0]) for e in values if e]
    assert (result.green_below, result.yellow_below, result.red_below) == (
        child_lights.count(Light.GREEN),
        child_lights.count(Light.YELLOW),
        child_lights.count(Light.RED),
    )
    incremental = set(
        IndicatorResult.objects.values_list(
            "organization_id", "light", "green_below", "yellow_below", "red_below"
        )
    )
    rollup.rebuild(indicator, PERIOD)
    rebuilt = set(
        IndicatorResult.objects.values_list(
            "organization_id", "light", "green_below", "yellow_below", "red_below"
        )
    )
    assert rebuilt == incremental


def test_grandchildren_roll_up_two_levels(family):
    parent, children, grandchild = family
    indicator = Indicator.objects.create(
        code="t", name="t", green_from=80, yellow_from=50, rule="mean"
    )
    IndicatorValue.objects.create(
        indicator=indicator,
        organization=grandchild,
        org_path=grandchild.path,
        period_start=PERIOD,
        value=40,
    )
    rollup.refresh_upwards(indicator, grandchild, PERIOD)
    top = IndicatorResult.objects.get(organization=parent, indicator=indicator)
    assert (top.value, top.light, top.red_below) == (40, Light.RED, 2)
    # The child that had the grandchild is red too, and counted once.
    IndicatorValue.objects.filter(indicator=indicator).update(value=95)
    rollup.refresh_upwards(indicator, grandchild, PERIOD)
    top.refresh_from_db()
    assert (top.light, top.green_below, top.red_below) == (Light.GREEN, 2, 0)

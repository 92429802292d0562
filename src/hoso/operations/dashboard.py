"""Reading the dashboard: a node's children with their lights, counts of
green/yellow/red below, rankings among siblings, trends and what lies
behind a light.

Everything reads `IndicatorResult` rows, which the roll-up keeps current on
every write, by primary key or by (indicator, period, parent): the root
view is a few indexed queries whatever the size of the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from hoso.core import permissions
from hoso.operations.choices import LIGHT_CSS, Direction, Light
from hoso.operations.indicators import (  # noqa: F401 (period_label for views)
    period_bounds,
    period_label,
    previous_periods,
)
from hoso.operations.models import Indicator, IndicatorResult

VIEW_PERMISSION = "operations.view_indicator"
# SVG fill colours (attributes, not styles: the CSP forbids inline styles).
LIGHT_HEX = {0: "#6c757d", 1: "#dc3545", 2: "#ffc107", 3: "#198754"}


def scope_roots(user):
    """The organizations at the top of the user's dashboard scope."""
    from hoso.organizations.models import Organization

    if user.is_superuser:
        return list(Organization.objects.filter(parent__isnull=True).order_by("name"))
    paths = permissions.scope_paths(user, VIEW_PERMISSION) or []
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


def may_view(user, organization) -> bool:
    return permissions.has_permission(user, VIEW_PERMISSION, organization)


@dataclass
class NodeRow:
    """One organization on the dashboard."""

    organization_id: int
    name: str
    level: str
    value: float | None = None
    light: int = Light.NONE
    green: int = 0
    yellow: int = 0
    red: int = 0
    rank: int | None = None
    of: int = 0
    has_children: bool = False
    lights: list = field(default_factory=list)

    @property
    def css(self) -> str:
        return LIGHT_CSS[self.light]

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label) if self.light else "—"

    @property
    def value_text(self) -> str:
        from django.utils.formats import number_format

        return "" if self.value is None else number_format(self.value, 1)

    @property
    def lights_html(self) -> str:
        """The small dots of every indicator, joined from snippets built
        once per (indicator, colour): a province has 170 rows of nine dots,
        polled every few seconds."""
        from django.utils.safestring import mark_safe

        return mark_safe("".join(html for _indicator, html in self.lights))


def current_period(indicator: Indicator, day: date | None = None) -> date:
    return period_bounds(indicator.period_kind, day or timezone.localdate())[0]


def _sort_key(indicator: Indicator):
    sign = -1 if indicator.direction == Direction.HIGHER else 1

    def key(result):
        return sign * result.value

    return key


def rank_results(indicator: Indicator, results: list) -> dict[int, int]:
    """organization id → rank among the given siblings (1 = best; equal
    values share a rank); results without a value are not ranked."""
    ranked = sorted(
        (r for r in results if r.value is not None), key=_sort_key(indicator)
    )
    ranks: dict[int, int] = {}
    previous = None
    for position, result in enumerate(ranked, start=1):
        if previous is None or result.value != previous.value:
            rank = position
        ranks[result.organization_id] = rank
        previous = result
    return ranks


def children_rows(
    indicator: Indicator, organization, period_start: date
) -> list[NodeRow]:
    """The node's children with their lights, counts below and ranks."""
    from hoso.organizations.models import Organization

    children = list(
        Organization.objects.filter(parent=organization)
        .order_by("name")
        .values("pk", "name", "level")
    )
    results = {
        r.organization_id: r
        for r in IndicatorResult.objects.filter(
            indicator=indicator,
            period_start=period_start,
            parent_id_copy=organization.pk,
        )
    }
    # No ordering: the model's default (path) would make DISTINCT sort.
    with_children = set(
        Organization.objects.filter(parent_id__in=[c["pk"] for c in children])
        .order_by()
        .values_list("parent_id", flat=True)
        .distinct()
    )
    ranks = rank_results(indicator, list(results.values()))
    ranked = len(ranks)
    rows = []
    for child in children:
        result = results.get(child["pk"])
        row = NodeRow(child["pk"], child["name"], child["level"])
        row.has_children = child["pk"] in with_children
        if result is not None:
            row.value = result.value
            row.light = result.light
            row.green, row.yellow, row.red = (
                result.green_below,
                result.yellow_below,
                result.red_below,
            )
            row.rank = ranks.get(child["pk"])
            row.of = ranked
        rows.append(row)
    # Red first, then yellow, so what needs attention is on top.
    order = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.NONE: 3}
    rows.sort(key=lambda r: (order[r.light], r.rank or 10**9, r.name))
    return rows


def node_result(indicator: Indicator, organization, period_start: date):
    return IndicatorResult.objects.filter(
        indicator=indicator, organization=organization, period_start=period_start
    ).first()


def sibling_rank(indicator: Indicator, organization, period_start: date):
    """(rank, of) of the node among its siblings, e.g. (8, 34)."""
    if organization.parent_id is None:
        return None, 0
    siblings = list(
        IndicatorResult.objects.filter(
            indicator=indicator,
            period_start=period_start,
            parent_id_copy=organization.parent_id,
        ).only("organization_id", "value")
    )
    ranks = rank_results(indicator, siblings)
    return ranks.get(organization.pk), len(ranks)


def trend(indicator: Indicator, organization, periods: int = 8) -> list[dict]:
    """The node's value and light over the last periods, oldest first."""
    spans = previous_periods(indicator.period_kind, timezone.localdate(), periods)
    starts = [start for start, _end in spans]
    found = {
        r.period_start: r
        for r in IndicatorResult.objects.filter(
            indicator=indicator, organization=organization, period_start__in=starts
        )
    }
    return [
        {
            "label": period_label(indicator.period_kind, start),
            "value": found[start].value if start in found else None,
            "light": found[start].light if start in found else Light.NONE,
        }
        for start in starts
    ]


def trend_svg_points(points: list[dict], width=320, height=90, pad=12) -> dict:
    """Coordinates for a server-rendered SVG line chart (no script)."""
    values = [p["value"] for p in points if p["value"] is not None]
    if not values:
        return {"dots": [], "polyline": "", "width": width, "height": height}
    low, high = min(values + [0.0]), max(values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(points) - 1, 1)
    dots = []
    for index, point in enumerate(points):
        x = pad + index * step
        if point["value"] is None:
            dots.append({**point, "x": round(x, 1), "y": None})
            continue
        y = height - pad - (point["value"] - low) / span * (height - 2 * pad)
        dots.append(
            {
                **point,
                "x": round(x, 1),
                "y": round(y, 1),
                "fill": LIGHT_HEX[point["light"]],
            }
        )
    polyline = " ".join(f"{d['x']},{d['y']}" for d in dots if d["y"] is not None)
    return {"dots": dots, "polyline": polyline, "width": width, "height": height}


def summary_lights(organization_ids: list[int], indicators: list[Indicator]) -> dict:
    """organization id → [(indicator, dot html)] for the current periods."""
    if not organization_ids or not indicators:
        return {}
    periods = {i.pk: current_period(i) for i in indicators}
    rows = IndicatorResult.objects.filter(
        organization_id__in=organization_ids,
        indicator_id__in=[i.pk for i in indicators],
        period_start__in=sorted(set(periods.values())),
    ).values_list("organization_id", "indicator_id", "period_start", "light")
    lights = {
        (org, ind): light for org, ind, start, light in rows if periods[ind] == start
    }
    from django.utils.html import format_html

    snippets = {
        (i.pk, light): format_html(
            '<i class="bi bi-circle-fill text-{}" title="{}"></i>',
            LIGHT_CSS[light],
            i.name,
        )
        for i in indicators
        for light in LIGHT_CSS
    }
    return {
        org: [(i, snippets[i.pk, lights.get((org, i.pk), 0)]) for i in indicators]
        for org in organization_ids
    }


def behind(indicator: Indicator, organization, period_start: date, user) -> dict:
    """What lies behind a light: the late tasks or documents of a computed
    indicator, the entered values of the subtree otherwise."""
    from hoso.operations.models import IndicatorValue, Task

    start, end = period_bounds(indicator.period_kind, period_start)
    today = timezone.localdate()
    out: dict = {"tasks": [], "documents": [], "values": []}
    if indicator.computed == "tasks_on_time":
        out["tasks"] = list(
            Task.objects.restrict(user, "view")
            .subtree(organization.path)
            .filter(deadline__gte=start, deadline__lte=min(end, today))
            .exclude(status__in=["accepted", "cancelled"])
            .select_related("organization", "lead")
            .order_by("deadline")[:25]
        )
    elif indicator.computed == "documents_on_time":
        from hoso.documents.models import Document

        out["documents"] = list(
            Document.objects.restrict(user, "view")
            .filter(org_path__startswith=organization.path)
            .open()
            .filter(due_date__gte=start, due_date__lte=min(end, today))
            .select_related("organization")
            .order_by("due_date")[:25]
        )
    else:
        # The values behind a rolled-up light are the children's (and the
        # node's own): one step of the drill-down, by primary keys, so a
        # red root never sorts the whole tree's values.
        from hoso.organizations.models import Organization

        ids = [
            organization.pk,
            *Organization.objects.filter(parent=organization).values_list(
                "pk", flat=True
            ),
        ]
        out["values"] = list(
            IndicatorValue.objects.restrict(user, "view")
            .filter(indicator=indicator, period_start=start, organization_id__in=ids)
            .select_related("organization", "entered_by")
            .order_by("value" if indicator.direction == Direction.HIGHER else "-value")[
                :25
            ]
        )
    return out

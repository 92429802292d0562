"""Keeping computed indicators live.

A change to a task or a document writes an `IndicatorOutbox` row (its
organization path and topic) in the changing transaction; after commit a
job recomputes the computed indicators of that topic for the organization
and its ancestors (at most six nodes, one aggregate query each over the
materialized path) and rolls the results up. The scheduler drains the
outbox every minute as a safety net, so nothing waits for a nightly batch.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from hoso.operations import rollup
from hoso.operations.indicators import (
    COMPUTED_PROVIDERS,
    period_bounds,
    resolve,
    topic_codes,
)
from hoso.operations.models import Indicator, IndicatorOutbox, IndicatorValue


def _after_commit() -> None:
    from hoso.operations.tasks import enqueue_refresh

    enqueue_refresh()


def mark_stale(org_path: str, topic: str) -> None:
    """Record that computed indicators of `topic` under `org_path` changed;
    one refresh job is enqueued per transaction."""
    if (
        not org_path
        or not Indicator.objects.filter(
            computed__in=topic_codes(topic), active=True
        ).exists()
    ):
        return
    IndicatorOutbox.objects.create(org_path=org_path, topic=topic)
    if connection.in_atomic_block and any(
        entry[1] is _after_commit for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_after_commit)


def store_computed(indicator: Indicator, organization, start: date, end: date):
    """Compute one node's own value from the provider (over its subtree)."""
    provider = resolve(indicator.computed)
    if provider is None:
        return None
    numerator, denominator = provider(organization, start, end)
    existing = IndicatorValue.objects.filter(
        indicator=indicator, organization=organization, period_start=start
    )
    if not denominator:
        existing.delete()
        return None
    value = 100.0 * numerator / denominator
    row, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        organization=organization,
        period_start=start,
        defaults={
            "org_path": organization.path,
            "value": value,
            "weight": float(denominator),
            "numerator": numerator,
            "denominator": denominator,
            "source": "computed",
        },
    )
    return row


def refresh_nodes(indicator: Indicator, organization_ids, day: date | None = None):
    """Recompute a computed indicator at the given nodes (and roll up)."""
    from hoso.organizations.models import Organization

    start, end = period_bounds(indicator.period_kind, day or timezone.localdate())
    for node in Organization.objects.filter(pk__in=organization_ids).order_by("-depth"):
        store_computed(indicator, node, start, end)
        rollup.recompute_node(indicator, node, start)


def refresh_all(indicator: Indicator, day: date | None = None) -> int:
    """Recompute a computed indicator at every organization (a command and
    the demo use this; the outbox keeps it current afterwards)."""
    from hoso.organizations.models import Organization

    start, end = period_bounds(indicator.period_kind, day or timezone.localdate())
    if resolve(indicator.computed) is None:
        return 0
    for node in Organization.objects.order_by("-depth").iterator(chunk_size=2000):
        store_computed(indicator, node, start, end)
    return rollup.rebuild(indicator, start)


def drain_outbox(*, batch: int = 500) -> int:
    """Process every outbox row; returns how many rows were processed."""
    processed = 0
    while True:
        rows = list(IndicatorOutbox.objects.order_by("id")[:batch])
        if not rows:
            return processed
        by_topic: dict[str, set[int]] = {}
        for row in rows:
            ids = {int(p) for p in row.org_path.strip("/").split("/") if p}
            by_topic.setdefault(row.topic, set()).update(ids)
        with transaction.atomic():
            for topic, ids in by_topic.items():
                for indicator in Indicator.objects.filter(
                    computed__in=topic_codes(topic), active=True
                ):
                    refresh_nodes(indicator, ids)
            IndicatorOutbox.objects.filter(id__in=[r.id for r in rows]).delete()
        processed += len(rows)


def available(code: str) -> bool:
    return code in COMPUTED_PROVIDERS and resolve(code) is not None

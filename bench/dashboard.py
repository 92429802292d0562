"""Latency and CPU of the operations dashboard on the national data set.

Uses a PostgreSQL database holding `hoso demo --scale national` (which also
writes Plan 02 indicator values for every commune and cell and rolls them
up); builds it first when it is empty. Then, in one process with Django's
test client (no HTTP server: view, template and database only), signed in
as a secretary holding a position at the root (scope: the whole tree, one
path prefix), it measures:

- the root view: the central node with every province and the central
  agencies, each with its light, green/yellow/red counts below and rank,
  full page and the htmx fragment the page polls, and the dashboard API;
- drill-downs: a province (its ~100 communes) and a commune (its cells),
  for the cell-level indicator (results at all ~53,000 nodes);
- a write: a cell's value changes and the roll-up recomputes the cell and
  its ancestors (≤ 5 nodes); the root's counts are read back to check the
  change is visible at once.

For each: p50/p95/max latency over --requests runs and CPU per request —
this process (Python) plus the PostgreSQL backend serving it (read from
/proc, same machine). Prints a Markdown table.

    PYTHONPATH=src .venv/bin/python bench/dashboard.py
        [--database-url postgres://postgres@127.0.0.1:5432/hoso_operations_bench]
        [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hoso_operations_bench"
TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend process."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def ensure_data(env: dict[str, str]) -> None:
    """Migrate and build the national set when the database is empty."""
    hoso = [sys.executable, "-m", "hoso.cli"]
    subprocess.run([*hoso, "migrate", "-v", "0"], env=env, check=True)
    probe = subprocess.run(
        [
            *hoso,
            "shell",
            "-c",
            "from hoso.organizations.models import Organization as O;"
            "print(O.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    if int(probe.stdout.strip().splitlines()[-1]) == 0:
        print("Building the national set (hoso demo --scale national)…", flush=True)
        subprocess.run([*hoso, "demo", "--scale", "national"], env=env, check=True)


def measure(label, fn, runs, pid, *, warmup=5):
    for _ in range(warmup):
        fn()
    latencies = []
    cpu_start, db_start = time.process_time(), backend_cpu(pid)
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        latencies.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_start) * 1000 / runs
    db = (backend_cpu(pid) - db_start) * 1000 / runs
    latencies.sort()
    p95 = latencies[max(0, int(round(0.95 * runs)) - 1)]
    return {
        "label": label,
        "p50": statistics.median(latencies),
        "p95": p95,
        "max": latencies[-1],
        "cpu": cpu,
        "db": db,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    env = {**os.environ, "HOSO_DATABASE_URL": args.database_url}
    env.setdefault("HOSO_DATA_DIR", "/tmp/hoso-dashboard-bench")
    ensure_data(env)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hoso.config.settings"
    import django

    django.setup()
    from datetime import date

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hoso.accounts.models import Person, Position, Role
    from hoso.core.testing.factories import UserFactory
    from hoso.operations import services
    from hoso.operations.dashboard import current_period
    from hoso.operations.models import Indicator, IndicatorResult
    from hoso.organizations.models import Organization

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    root = Organization.objects.get(parent__isnull=True, level="central", code="TW")
    user = UserFactory(username=f"bench-{int(time.time())}")
    person = Person.objects.create(user=user, full_name="Bench Secretary")
    Position.objects.create(
        person=person,
        organization=root,
        role=Role.objects.get(code="secretary"),
        title="bench",
        start_date=date(2025, 7, 1),
    )
    client = Client()
    client.force_login(user)
    indicator = Indicator.objects.get(code="cell-meetings-online")
    commune_indicator = Indicator.objects.get(code="plan02-basic-conditions")
    period = current_period(indicator)
    biggest = max(
        Organization.objects.filter(level="province", parent=root),
        key=lambda p: Organization.objects.filter(parent=p).count(),
    )
    commune = Organization.objects.filter(parent=biggest, level="commune").first()
    cell = Organization.objects.filter(
        path__startswith=commune.path, level="cell"
    ).first()
    counts = {
        "organizations": Organization.objects.count(),
        "results": IndicatorResult.objects.count(),
        "children of the root": Organization.objects.filter(parent=root).count(),
        f"children of {biggest.name}": Organization.objects.filter(
            parent=biggest
        ).count(),
    }
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would have them after a bulk load.
        for table in (
            "organizations_organization",
            "operations_indicatorresult",
            "operations_indicatorvalue",
        ):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def get(url, **extra):
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code)
        return response

    q = f"?indicator={indicator.pk}"
    qc = f"?indicator={commune_indicator.pk}"
    cases = [
        (
            "root view, page (cell indicator)",
            lambda: get(f"/operations/dashboard/{root.pk}/{q}"),
        ),
        (
            "root view, htmx poll fragment",
            lambda: get(f"/operations/dashboard/{root.pk}/{q}", HTTP_HX_REQUEST="true"),
        ),
        (
            "root view, page (commune indicator)",
            lambda: get(f"/operations/dashboard/{root.pk}/{qc}"),
        ),
        ("root view, API", lambda: get(f"/api/v1/dashboard/{root.pk}{q}")),
        (
            f"drill-down: province ({counts[f'children of {biggest.name}']} children)",
            lambda: get(f"/operations/dashboard/{biggest.pk}/{q}"),
        ),
        ("drill-down: commune", lambda: get(f"/operations/dashboard/{commune.pk}/{q}")),
        (
            "drill-down: province, API",
            lambda: get(f"/api/v1/dashboard/{biggest.pk}{q}"),
        ),
    ]
    flip = {"value": 0.0}

    def write():
        flip["value"] = 95.0 if flip["value"] != 95.0 else 10.0
        services.set_indicator_value(
            indicator,
            acting_user=user,
            organization=cell,
            period_start=period,
            value=flip["value"],
        )

    rows = [measure(label, fn, args.requests, pid) for label, fn in cases]
    rows.append(
        measure("write a cell value + roll-up to the root", write, args.requests, pid)
    )
    # The change is visible at the root at once (no batch).
    before = IndicatorResult.objects.get(
        indicator=indicator, organization=root, period_start=period
    )
    flip["value"] = 95.0
    write()  # now 10.0 (red) at the cell
    after = IndicatorResult.objects.get(
        indicator=indicator, organization=root, period_start=period
    )
    visible = (before.red_below, before.green_below) != (
        after.red_below,
        after.green_below,
    ) or before.light != after.light

    print(
        f"\n{platform.node()} · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · PostgreSQL · "
        f"{timezone.now():%Y-%m-%d %H:%M} UTC"
    )
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    print(
        f"requests per case: {args.requests}; change visible at the root "
        f"right after the write: {visible}\n"
    )
    print(
        "| case | p50 ms | p95 ms | max ms "
        "| CPU ms/req (Python) | CPU ms/req (PostgreSQL) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['label']} | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['max']:.1f} | {row['cpu']:.1f} | {row['db']:.1f} |"
        )
    Position.objects.filter(person=person).delete()


if __name__ == "__main__":
    main()

"""Load 1,000,000 members through the import on PostgreSQL (target ≤ 120 s).

Creates a throwaway database (dropped afterwards unless --keep), migrates it
(untimed), builds the province tree (1,500 grassroots organizations and
cells), writes a CSV of N member rows in the import format (untimed), then
times `hoso.members.imports.run_import(..., commit=True)`: reading, validating
every row (the same rules as the UI's dry run), staging, COPY into the table
and the timeline rows, in one transaction. Reports wall time, the Python
process's CPU time, the PostgreSQL backend's share is the difference, and
checks the row counts. A second run re-imports the same file to show it
changes nothing (idempotent) and how long the check takes.

    PYTHONPATH=src .venv/bin/python bench/members_load.py [--rows 1000000]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg


def admin_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def write_csv(path: str, rows: int, cells: list[str], seed: int) -> None:
    """N rows in the import format, generated from the demo's generator."""
    from django.utils import timezone

    from hoso.demo.members import member_row
    from hoso.members import imports

    rng = random.Random(seed)
    today = timezone.localdate()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(imports.HEADERS)
        for index in range(rows):
            code = cells[index * len(cells) // rows]
            row = member_row(rng, index, 0, "Xã Thử, tỉnh Thử", index % 34, today)
            row["cell_code"] = code

            def text(name, row=row):
                value = row.get(name)
                if value is None:
                    return ""
                if isinstance(value, date):
                    return value.strftime("%d/%m/%Y")
                if name == "sex":
                    return "Nam" if value == "male" else "Nữ"
                return str(value)

            writer.writerow([text(name) for name in imports.HEADERS])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    dbname = f"hoso_members_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    os.environ["HOSO_DATABASE_URL"] = admin_url(args.postgres_url, dbname)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    data_dir = tempfile.mkdtemp(prefix="hoso-members-bench-")
    os.environ["HOSO_DATA_DIR"] = data_dir
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from hoso.demo import trees
        from hoso.members import imports
        from hoso.members.models import Member, MemberEvent
        from hoso.organizations.choices import Level
        from hoso.organizations.models import Organization

        call_command("migrate", verbosity=0)
        trees.insert_tree(trees.generate_tree("province", seed=args.seed))
        province = Organization.objects.get(level=Level.PROVINCE, kind="committee")
        cells = list(
            Organization.objects.filter(level__in=[Level.CELL, Level.GRASSROOTS])
            .order_by("code")
            .values_list("code", flat=True)
        )
        csv_path = os.path.join(data_dir, "members.csv")
        started = time.perf_counter()
        write_csv(csv_path, args.rows, cells, args.seed)
        generated = time.perf_counter() - started
        size = os.path.getsize(csv_path)

        cpu0, wall0 = time.process_time(), time.perf_counter()
        report = imports.run_import(csv_path, province, acting_user=None, commit=True)
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
        if not report.committed or report.error_count:
            sys.exit(f"import failed: {report.error_count} errors {report.errors[:5]}")
        stored = Member.objects.count()
        events = MemberEvent.objects.count()

        cpu1, wall1 = time.process_time(), time.perf_counter()
        again = imports.run_import(csv_path, province, acting_user=None, commit=True)
        rewall = time.perf_counter() - wall1
        recpu = time.process_time() - cpu1
        assert again.new == 0 and again.updated == 0 and again.unchanged == args.rows
        assert Member.objects.count() == stored

        print(f"# members_load on {platform.node()} ({os.cpu_count()} cores)")
        print(f"PostgreSQL {connection.pg_version}, database {dbname}")
        print(
            f"CSV: {args.rows:,} rows, {size / 1e6:.0f} MB, "
            f"generated in {generated:.1f} s"
        )
        print()
        print("| run | rows | stored | wall s | Python CPU s | rows/s |")
        print("|---|---:|---:|---:|---:|---:|")
        print(
            f"| import (validate + COPY) | {args.rows:,} | {stored:,} members, "
            f"{events:,} events | {wall:.1f} | {cpu:.1f} | {args.rows / wall:,.0f} |"
        )
        print(
            f"| re-import (idempotent) | {args.rows:,} | 0 changes | {rewall:.1f} | "
            f"{recpu:.1f} | {args.rows / rewall:,.0f} |"
        )
        print(f"\ntarget ≤ 120 s: {'met' if wall <= 120 else 'NOT met'}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


if __name__ == "__main__":
    main()

"""Load 1,000,000 members through the import on PostgreSQL (target ≤ 120 s).

Creates a throwaway database (dropped afterwards unless --keep), migrates it
(untimed), builds the province tree (1,500 grassroots organizations and
cells), writes a CSV of N member rows in the import format (untimed), then
times `hoso.members.imports.run_import(..., commit=True)`: reading, validating
every row (the same rules as the UI's dry run; in worker processes for a big
file), staging, COPY into the table and the timeline rows, in one
transaction. Reports wall time, the CPU of this process and of its
validation workers, the CPU of the connection's PostgreSQL backend (from
/proc) and the load average, and checks the row counts. A second run
re-imports the same file to show it changes nothing (idempotent) and how
long the check takes.

    PYTHONPATH=src .venv/bin/python bench/members_load.py [--rows 1000000]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]
        [--workers N] [--profile FILE] [--db-prefix hoso_members_bench]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import shutil
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


def cpu_seconds(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def backend_cpu(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (read
    from /proc: the server runs on this machine); 0 when unreadable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of stat (11 and 12 after the name).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="validation processes (default: the import's own choice)",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="write a cProfile of the first import (the parent process) to FILE",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--db-prefix",
        default="hoso_members_bench",
        help="name prefix of the throwaway database (a random suffix is added)",
    )
    args = parser.parse_args()

    dbname = f"{args.db_prefix}_{uuid.uuid4().hex[:8]}"
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

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()

        def timed(label):
            """Run the import once and measure it (wall, CPU of this process,
            of its validation workers and of its PostgreSQL backend)."""
            backend = backend_cpu(connection)
            load0 = os.getloadavg()[0]
            self0 = resource.getrusage(resource.RUSAGE_SELF)
            kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall0 = time.perf_counter()
            if profiler is not None and label == "import":
                profiler.enable()
            # Without --workers, the import's own choice (and a version of
            # it without the parameter can be measured the same way).
            extra = {} if args.workers is None else {"workers": args.workers}
            report = imports.run_import(
                csv_path, province, acting_user=None, commit=True, **extra
            )
            if profiler is not None and label == "import":
                profiler.disable()
                profiler.dump_stats(args.profile)
            wall = time.perf_counter() - wall0
            self1 = resource.getrusage(resource.RUSAGE_SELF)
            kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            return report, {
                "wall": wall,
                "cpu": cpu_seconds(self1) - cpu_seconds(self0),
                "workers": cpu_seconds(kids1) - cpu_seconds(kids0),
                "backend": backend_cpu(connection) - backend,
                "load": (load0, os.getloadavg()[0]),
            }

        report, first = timed("import")
        if not report.committed or report.error_count:
            sys.exit(f"import failed: {report.error_count} errors {report.errors[:5]}")
        stored = Member.objects.count()
        events = MemberEvent.objects.count()

        again, second = timed("re-import")
        assert again.new == 0 and again.updated == 0 and again.unchanged == args.rows
        assert Member.objects.count() == stored

        print(f"# members_load on {platform.node()} ({os.cpu_count()} cores)")
        print(f"PostgreSQL {connection.pg_version}, database {dbname}")
        print(
            f"CSV: {args.rows:,} rows, {size / 1e6:.0f} MB, "
            f"generated in {generated:.1f} s; validation workers: "
            f"{args.workers if args.workers is not None else 'default'}"
        )
        print()
        print(
            "| run | rows | stored | wall s | Python CPU s (parent + workers) "
            "| PostgreSQL backend CPU s | rows/s (wall) | load average |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for label, stored_text, m in (
            (
                "import (validate + COPY)",
                f"{stored:,} members, {events:,} timeline rows",
                first,
            ),
            ("re-import (idempotent)", "0 changes", second),
        ):
            python = m["cpu"] + m["workers"]
            print(
                f"| {label} | {args.rows:,} | {stored_text} | {m['wall']:.1f} | "
                f"{python:.1f} ({m['cpu']:.1f} + {m['workers']:.1f}) | "
                f"{m['backend']:.1f} | {args.rows / m['wall']:,.0f} | "
                f"{m['load'][0]:.1f} → {m['load'][1]:.1f} |"
            )
        print(f"\ntarget ≤ 120 s: {'met' if first['wall'] <= 120 else 'NOT met'}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            # The generated CSV (250 MB for a million rows).
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

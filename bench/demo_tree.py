"""Time `hoso demo --scale national` on a fresh SQLite and PostgreSQL database.

Each run starts from an empty database (a new temporary data directory for
SQLite, a uniquely named database for PostgreSQL, dropped afterwards), runs
`hoso migrate` untimed, then times the `hoso demo` process. The wall time
includes interpreter and Django start-up; the build time is the one the
command reports itself. Prints a Markdown table of medians.

    .venv/bin/python bench/demo_tree.py [--runs 3] [--scale national]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
        [--skip-sqlite] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg

HOSO = [sys.executable, "-m", "hoso.cli"]
BUILD_TIME = re.compile(r"Created ([\d,]+) organizations in ([\d.]+) s")


def run_hoso(args: list[str], env: dict[str, str]) -> str:
    """Run one `hoso` command; its output, or the error and exit on failure."""
    result = subprocess.run(
        [*HOSO, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"hoso {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def time_demo(env: dict[str, str], scale: str, seed: int) -> tuple[float, float, int]:
    """Migrate, then time the demo command: (wall s, build s, organizations)."""
    run_hoso(["migrate", "-v", "0"], env)
    started = time.perf_counter()
    output = run_hoso(["demo", "--scale", scale, "--seed", str(seed)], env)
    wall = time.perf_counter() - started
    match = BUILD_TIME.search(output)
    if match is None:
        sys.exit(f"Unexpected demo output:\n{output}")
    return wall, float(match.group(2)), int(match.group(1).replace(",", ""))


def sqlite_run(base_env: dict[str, str], scale: str, seed: int):
    """One run into a new SQLite file in a temporary data directory."""
    with tempfile.TemporaryDirectory(prefix="hoso-bench-") as data_dir:
        env = {**base_env, "HOSO_DATA_DIR": data_dir, "HOSO_DATABASE_URL": ""}
        return time_demo(env, scale, seed)


def postgres_run(base_env: dict[str, str], admin_url: str, scale: str, seed: int):
    """One run into a new, uniquely named PostgreSQL database, dropped after."""
    name = f"hoso_bench_demo_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(admin_url)
    database_url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="hoso-bench-") as data_dir:
            env = {
                **base_env,
                "HOSO_DATA_DIR": data_dir,
                "HOSO_DATABASE_URL": database_url,
            }
            return time_demo(env, scale, seed)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", default="national", choices=["province", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HOSO_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a database URL with the right to create databases",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()

    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hoso.config.settings"}
    backends = []
    if not options.skip_sqlite:
        backends.append(
            ("SQLite", lambda: sqlite_run(base_env, options.scale, options.seed))
        )
    if not options.skip_postgres:
        backends.append(
            (
                "PostgreSQL",
                lambda: postgres_run(
                    base_env, options.postgres_url, options.scale, options.seed
                ),
            )
        )

    print(
        f"`hoso demo --scale {options.scale} --seed {options.seed}`, "
        f"{options.runs} run(s) per database, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}\n"
    )
    print(
        "| Database | Organizations | Build, median (s) | Build, min–max (s) "
        "| Command wall time, median (s) |"
    )
    print("|---|---:|---:|---:|---:|")
    for label, run in backends:
        results = [run() for _ in range(options.runs)]
        walls = [wall for wall, _, _ in results]
        builds = [build for _, build, _ in results]
        print(
            f"| {label} | {results[0][2]:,} | {statistics.median(builds):.1f} "
            f"| {min(builds):.1f}–{max(builds):.1f} "
            f"| {statistics.median(walls):.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()

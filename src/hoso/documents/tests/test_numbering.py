"""Numbering: gap-free and unique under concurrency, on both databases."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("numbering_probe.py")


def _run_probe(env_overrides: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSO_")}
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, str(PROBE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _check(outcome: dict) -> None:
    assert outcome["errors"] == []
    # 50 registrations, 3 rolled back: 47 numbers, 1..47, no gaps, no repeats.
    assert outcome["numbers"] == list(range(1, 48))


@pytest.mark.slow
def test_fifty_parallel_registrations_sqlite(tmp_path):
    """GIVEN 50 clerks registering at the same instant on SQLite (3 of them
    failing after taking a number) THEN the numbers are 1..47 exactly."""
    _check(_run_probe({"HOSO_DATA_DIR": str(tmp_path)}))


@pytest.mark.slow
def test_fifty_parallel_registrations_postgresql(tmp_path):
    """The same on PostgreSQL, in a throwaway database."""
    import psycopg

    base = os.environ.get("HOSO_DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgres://postgres@127.0.0.1:5432/postgres"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    name = f"hoso_numbering_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = base.rsplit("/", 1)[0] + f"/{name}"
        _check(_run_probe({"HOSO_DATA_DIR": str(tmp_path), "HOSO_DATABASE_URL": url}))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

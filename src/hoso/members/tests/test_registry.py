"""Citizen-ID checks against the registry simulator, run as a real
subprocess on a free port; the checks run as background jobs."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from hoso.members import registry, registry_sim
from hoso.members.choices import CitizenCheckStatus
from hoso.members.models import CitizenIdCheck
from hoso.members.tests.factories import MemberFactory

SRC = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_simulator(tmp_path, records, delay=0.0):
    seed = tmp_path / "registry.json"
    seed.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("HOSO_DATABASE_URL", None)  # the simulator needs no database
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "hoso",
            "registry-sim",
            "--port",
            str(port),
            "--seed-file",
            str(seed),
            "--delay",
            str(delay),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310
                if json.loads(response.read())["ok"]:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(process.stdout.read().decode())


@pytest.fixture
def simulator(tmp_path):
    records = [
        {
            "citizen_id": "001085000111",
            "full_name": "Phạm Văn Hùng",
            "date_of_birth": "1985-09-02",
        },
        {
            "citizen_id": "001190000222",
            "full_name": "Đỗ Thị Mai",
            "date_of_birth": "1990-01-01",
        },
    ]
    process, url = start_simulator(tmp_path, records)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def worker_in_test_transaction(monkeypatch):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )


def test_checks_run_as_jobs_against_the_simulator(
    tree,
    make_user,
    simulator,
    settings,
    worker_in_test_transaction,
    django_capture_on_commit_callbacks,
):
    """GIVEN the simulator with two people WHEN three members are checked THEN
    the request only queues; the worker stores verified / mismatch (naming
    the field) / not found, with the time."""
    settings.MEMBERS_REGISTRY_URL = simulator
    secretary = make_user("secretary", tree["a"])
    ok = MemberFactory(
        organization=tree["cell_a"],
        citizen_id="001085000111",
        full_name="PHẠM  văn Hùng",
        date_of_birth=date(1985, 9, 2),
    )
    wrong = MemberFactory(
        organization=tree["cell_a"],
        citizen_id="001190000222",
        full_name="Đỗ Thị Mai",
        date_of_birth=date(1990, 1, 2),
    )
    unknown = MemberFactory(organization=tree["cell_a"], citizen_id="009999999999")
    with django_capture_on_commit_callbacks(execute=True):
        for member in (ok, wrong, unknown):
            registry.request_check(member, acting_user=secretary)
    ok.refresh_from_db()
    assert ok.citizen_check_status == CitizenCheckStatus.PENDING
    call_command("worker", batch=True, verbosity=0)
    for member, status in (
        (ok, CitizenCheckStatus.VERIFIED),
        (wrong, CitizenCheckStatus.MISMATCH),
        (unknown, CitizenCheckStatus.NOT_FOUND),
    ):
        member.refresh_from_db()
        assert member.citizen_check_status == status
        assert member.citizen_checked_at is not None
    assert CitizenIdCheck.objects.get(member=wrong).mismatched == ["date_of_birth"]


def test_unreachable_registry_is_retried_then_failed(tree, make_user, settings):
    """GIVEN no registry listening WHEN a check runs THEN it stays pending for
    retries and is marked failed after the last attempt."""
    settings.MEMBERS_REGISTRY_URL = f"http://127.0.0.1:{free_port()}"
    secretary = make_user("secretary", tree["a"])
    member = MemberFactory(organization=tree["cell_a"])
    check = registry.request_check(member, acting_user=secretary)
    for _ in range(registry.MAX_ATTEMPTS - 1):
        assert registry.run_check(check.pk) == CitizenCheckStatus.PENDING
    assert registry.run_check(check.pk) == CitizenCheckStatus.FAILED
    check.refresh_from_db()
    assert check.attempts == registry.MAX_ATTEMPTS and check.message
    # Idempotent: a finished check is left alone.
    assert registry.run_check(check.pk) == CitizenCheckStatus.FAILED


def test_time_out(tree, make_user, tmp_path):
    """GIVEN a registry slower than the time-out WHEN checked THEN the attempt
    counts as unreachable (not a hang)."""
    process, url = start_simulator(
        tmp_path,
        [{"citizen_id": "1", "full_name": "x", "date_of_birth": "2000-01-01"}],
        delay=3,
    )
    try:
        connector = registry.HttpRegistryConnector(url, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(registry.RegistryUnavailable):
            connector.verify("1", "x", date(2000, 1, 1))
        assert time.monotonic() - started < 2.5
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_deliberate_mismatches_are_deterministic():
    rows = [(f"{n:012d}", "Nguyễn Văn An", date(1980, 1, 1)) for n in range(400)]
    records = registry_sim.seed_from_members(rows)
    kinds = [registry_sim.mismatch_kind(cid) for cid, _n, _d in rows]
    assert len(records) == 400 - kinds.count("missing")
    assert 0 < kinds.count("name") < 60 and 0 < kinds.count("birth") < 60
    assert records == registry_sim.seed_from_members(rows)

"""2,000 voters cast a secret ballot in one vote, end to end over HTTP.

The script prepares a fresh data directory (SQLite by default, or a fresh
PostgreSQL database with --postgres-url, dropped afterwards): `hoso
migrate`, then, in a child process with Django set up, a cell with N
members (users, positions, a personal API token each), a meeting in
progress with every member checked in, and an open secret yes/no/abstain
vote. It starts the real server (`python -m hoso serve --no-worker
--workers W`) and, with C concurrent keep-alive clients on loopback, every
voter POSTs `/api/v1/votes/{id}/ballots` with their own token. It reports
the wall time from the first request to the last response, ballots per
second, per-request latency (p50/p95/p99), and the server's CPU time per
ballot (read from /proc for the server's process tree: other load on the
machine inflates latency, not that). Then it checks the outcome against
what was sent: every voter has one receipt, the secret ballots count as
sent, and a second ballot by the same voters is refused (HTTP 422).

    PYTHONPATH=src .venv/bin/python bench/voting.py [--voters 2000]
        [--concurrency 16] [--workers 2]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HOSO = [sys.executable, "-m", "hoso"]
TARGET_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# Preparing the data (runs in a child process with Django set up) -------------


def prepare(voters: int, out: Path) -> None:
    """Create the cell, its members with tokens, the meeting and the open
    secret vote; write the tokens and the vote id to `out` as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from hoso.accounts.models import ApiToken, Person, Position, Role
    from hoso.accounts.services import _digest
    from hoso.meetings import services
    from hoso.meetings.choices import Attendance
    from hoso.meetings.models import Participant
    from hoso.organizations.choices import Kind, Level
    from hoso.organizations.models import Organization

    def org(parent, level, kind, code):
        node = Organization(
            parent=parent,
            level=level,
            kind=kind,
            code=code,
            name=code,
            path=f"/n-{code}/",
        )
        node.save()
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.depth = parent.depth + 1 if parent else 0
        node.save(update_fields=["path", "depth"])
        return node

    province = org(None, Level.PROVINCE, Kind.COMMITTEE, "BENCH-P")
    cell = org(province, Level.CELL, Kind.CELL, "BENCH-C")
    user_model = get_user_model()
    password = make_password(uuid.uuid4().hex)
    secretary_user = user_model.objects.create(
        username="bench-secretary", password=password
    )
    secretary = Person.objects.create(user=secretary_user, full_name="Bí thư")
    Position.objects.create(
        person=secretary, organization=cell, role=Role.objects.get(code="secretary")
    )
    users = user_model.objects.bulk_create(
        user_model(username=f"voter{n:05d}", password=password) for n in range(voters)
    )
    users = list(
        user_model.objects.filter(username__startswith="voter").order_by("username")
    )
    persons = Person.objects.bulk_create(
        Person(user=user, full_name=f"Đảng viên {n}") for n, user in enumerate(users)
    )
    persons = list(Person.objects.filter(user__in=users).order_by("user__username"))
    member = Role.objects.get(code="member")
    Position.objects.bulk_create(
        Position(person=p, organization=cell, role=member) for p in persons
    )
    tokens, plaintexts = [], []
    for user in users:
        prefix = uuid.uuid4().hex[:12]
        plain = f"hoso_{prefix}_{uuid.uuid4().hex}{uuid.uuid4().hex}"
        plaintexts.append(plain)
        tokens.append(
            ApiToken(
                user=user,
                name="bench",
                prefix=prefix,
                digest=_digest(plain),
                scopes=["read", "write"],
            )
        )
    ApiToken.objects.bulk_create(tokens)
    starts = timezone.now()
    meeting = services.schedule_meeting(
        organization=cell,
        kind="congress",
        title="Đại hội (bench)",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        acting_user=secretary_user,
        invite_default=False,
    )
    Participant.objects.bulk_create(
        Participant(
            meeting=meeting,
            person=p,
            attendance=Attendance.PRESENT,
            checkin_method="manual",
            checked_in_at=starts,
        )
        for p in persons
    )
    services.start_meeting(meeting, acting_user=secretary_user)
    vote = services.create_vote(
        meeting,
        question="Thông qua báo cáo chính trị",
        kind="yes_no",
        secret=True,
        acting_user=secretary_user,
    )
    services.open_vote(vote, acting_user=secretary_user)
    out.write_text(json.dumps({"vote": vote.pk, "tokens": plaintexts}))


def outcome(vote_id: int) -> dict:
    """Receipts, ballots and counts stored for the vote (child process)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoso.config.settings")
    django.setup()
    from hoso.meetings import services
    from hoso.meetings.models import BallotReceipt, SecretBallot, Vote

    vote = Vote.objects.get(pk=vote_id)
    return {
        "receipts": BallotReceipt.objects.filter(vote=vote).count(),
        "distinct_voters": BallotReceipt.objects.filter(vote=vote)
        .values("participant")
        .distinct()
        .count(),
        "ballots": SecretBallot.objects.filter(vote=vote).count(),
        "counts": services.tally(vote)["counts"],
    }


# Measuring ---------------------------------------------------------------------


class CpuMeter:
    """CPU seconds of the server's process tree, from /proc."""

    def __init__(self, pid: int):
        self.pid = pid
        self.tick = os.sysconf("SC_CLK_TCK")

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
                children.setdefault(ppid, []).append(int(entry))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def seconds(self) -> float:
        total = 0
        for pid in self._tree():
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
            except OSError:
                continue
        return total / self.tick


def cast_all(port: int, vote_id: int, ballots: list[tuple[str, str]], concurrency: int):
    """POST every ballot; returns (latencies, statuses, wall seconds)."""
    queue = list(enumerate(ballots))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    path = f"/api/v1/votes/{vote_id}/ballots"

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                _index, (token, choice) = queue.pop()
            body = json.dumps({"choice": choice})
            started = time.perf_counter()
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                },
            )
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, time.perf_counter() - started


def wait_ready(port: int, process) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("The server exited.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("The server did not start.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--outcome", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.voters, Path(args.prepare))
        return
    if args.outcome:
        print(json.dumps(outcome(args.outcome)))
        return

    data_dir = Path(tempfile.mkdtemp(prefix="hoso-bench-voting-"))
    env = dict(os.environ, HOSO_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    # The server runs in the data directory: import this checkout's code.
    source = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(
        [source, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    )
    env.pop("HOSO_DATABASE_URL", None)
    database = None
    if args.postgres_url:
        import psycopg

        database = f"hoso_bench_voting_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        env["HOSO_DATABASE_URL"] = _with_database(args.postgres_url, database)
    server = None
    try:
        subprocess.run([*HOSO, "migrate", "-v0"], env=env, check=True, cwd=data_dir)
        prepared = data_dir / "prepared.json"
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--voters",
                str(args.voters),
                "--prepare",
                str(prepared),
            ],
            env=env,
            check=True,
        )
        setup_seconds = time.perf_counter() - t0
        data = json.loads(prepared.read_text())
        rng = random.Random(7)
        choices = [
            rng.choice(["yes", "yes", "yes", "no", "abstain"]) for _ in data["tokens"]
        ]
        ballots = list(zip(data["tokens"], choices, strict=True))
        port = free_port()
        log = (data_dir / "server.log").open("w")
        server = subprocess.Popen(
            [
                *HOSO,
                "serve",
                "--no-worker",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
            cwd=data_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_ready(port, server)
        meter = CpuMeter(server.pid)
        cpu_before = meter.seconds()
        latencies, statuses, wall = cast_all(
            port, data["vote"], ballots, args.concurrency
        )
        cpu = meter.seconds() - cpu_before
        # Everybody tries again: every second ballot must be refused.
        _latencies, again, _wall = cast_all(
            port, data["vote"], ballots[:200], args.concurrency
        )
        result = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--outcome", str(data["vote"])],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        sent = {c: choices.count(c) for c in ("yes", "no", "abstain")}
        p50 = statistics.median(latencies) * 1000
        p95 = percentile(latencies, 0.95) * 1000
        p99 = percentile(latencies, 0.99) * 1000
        stored = (result["receipts"], result["distinct_voters"], result["ballots"])
        rows = [
            ("wall time, first request to last response",
             f"{wall:.2f} s (target ≤ {TARGET_SECONDS:.0f} s)"),
            ("ballots per second", f"{args.voters / wall:.0f}"),
            ("latency p50 / p95 / p99", f"{p50:.1f} / {p95:.1f} / {p99:.1f} ms"),
            ("server CPU per ballot", f"{cpu / args.voters * 1000:.2f} ms"),
            ("HTTP statuses", str(statuses)),
            ("second ballots (200 voters)", str(again)),
            ("receipts / distinct voters / secret ballots",
             " / ".join(map(str, stored))),
            ("counts stored / sent", f"{result['counts']} / {sent}"),
        ]  # fmt: skip
        engine = "PostgreSQL" if database else "SQLite"
        print(f"\n### Voting: {args.voters} voters, one secret ballot each ({engine})")
        print(f"\nsetup (users, tokens, meeting, vote): {setup_seconds:.1f} s\n")
        print("| measure | value |\n|---|---|")
        for label, value in rows:
            print(f"| {label} | {value} |")
        load = os.getloadavg()
        print(
            f"\nconcurrency {args.concurrency}, web workers {args.workers}, "
            f"{os.cpu_count()} CPUs, load average {load[0]:.1f}"
        )
        ok = (
            statuses == {201: args.voters}
            and again == {422: min(200, args.voters)}
            and result["receipts"]
            == result["distinct_voters"]
            == result["ballots"]
            == args.voters
            and result["counts"] == sent
        )
        print("\nresult:", "OK" if ok and wall <= TARGET_SECONDS else "FAILED")
        if not ok:
            sys.exit(1)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if database:
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

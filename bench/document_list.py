"""Latency and throughput of the document list API and the register page.

On a fresh, uniquely named PostgreSQL database (dropped afterwards unless
--keep), the script runs `hoso migrate`, then `hoso demo --scale province
--documents N` (1,000,000 by default: the size SPEC §3 sets for this
target), vacuums and analyzes the documents table, and creates two users
with API tokens and signed-in sessions: the clerk of one commune (a small
scope, no clearance) and the province secretary (the whole province,
cleared for "Mật", with a confirmed second factor). It then starts the real
server (`python -m hoso serve --no-worker --workers 2`) and measures, with
each user's permission filter applied:

- `GET /api/v1/documents?direction=incoming`: page 1, a filtered and sorted
  query (documents being processed, by deadline) and a deep page;
- `GET /documents/incoming/`, the register page (session cookie);

each with sequential keep-alive requests (p50/p95/p99), then the list API's
throughput with concurrent keep-alive clients for a fixed time. Prints
Markdown tables; `--explain` adds the PostgreSQL plans of the list queries.

    .venv/bin/python bench/document_list.py [--documents 1000000]
        [--requests 300] [--concurrency 8] [--duration 20] [--explain]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
        [--keep | --database NAME (reuse a database this script built)]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import re
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
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg

HOSO = [sys.executable, "-m", "hoso.cli"]
BUILD_TIME = re.compile(r"Created ([\d,]+) documents in ([\d.]+) s")
PAGE_SIZE = 50  # NINJA_PAGINATION_PER_PAGE and the register's page size


def run_hoso(args: list[str], env: dict[str, str]) -> str:
    """Run one `hoso` command; its output, or the error and exit on failure."""
    result = subprocess.run(
        [*HOSO, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"hoso {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Client:
    """Who is asking: a bearer token for the API, a session for pages."""

    label: str
    token: str
    session_cookie: str

    def headers(self, path: str) -> dict[str, str]:
        if path.startswith("/api/"):
            return {"Authorization": f"Bearer {self.token}"}
        return {"Cookie": self.session_cookie}


def fetch(conn: http.client.HTTPConnection, path: str, headers: dict) -> bytes:
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:300]!r}")
    return body


class CpuMeter:
    """CPU time used by the server's processes and by the PostgreSQL
    backends serving its database, read from /proc: a cost per request that
    other load on the machine does not inflate the way it does latency.

    Backends that exit during a measurement (Django reopens its connection
    after CONN_MAX_AGE) lose their share, so the PostgreSQL figure is a
    lower bound."""

    def __init__(self, server_pid: int, database_url: str, database: str):
        self.server_pid = server_pid
        self.database_url = database_url
        self.database = database
        self.tick = os.sysconf("SC_CLK_TCK")

    def _descendants(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
                children.setdefault(ppid, []).append(int(entry))
        found, todo = [], [self.server_pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def _backends(self) -> list[int]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchall()
        return [pid for (pid,) in rows]

    def _seconds(self, pids: list[int]) -> dict[int, float]:
        used = {}
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[pid] = (int(fields[11]) + int(fields[12])) / self.tick
        return used

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        return self._seconds(self._descendants()), self._seconds(self._backends())

    def since(self, before) -> tuple[float, float]:
        """(server s, PostgreSQL s) used since `before`."""
        after = self.snapshot()
        return tuple(
            sum(value - old.get(pid, 0.0) for pid, value in new.items())
            for old, new in zip(before, after, strict=True)
        )


def sequential(port: int, client: Client, path: str, requests: int, warmup: int):
    """Latencies (ms) of `requests` sequential requests on one keep-alive
    connection, after `warmup` unmeasured ones."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = client.headers(path)
    for _ in range(warmup):
        fetch(conn, path, headers)
    latencies = []
    for _ in range(requests):
        started = time.perf_counter()
        fetch(conn, path, headers)
        latencies.append((time.perf_counter() - started) * 1000)
    conn.close()
    return latencies


def load(port: int, client: Client, path: str, concurrency: int, duration: float):
    """Requests/s and latencies with `concurrency` keep-alive clients, each
    sending its next request as soon as the previous one is answered."""
    headers = client.headers(path)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    start = threading.Barrier(concurrency + 1)
    deadline = 0.0

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        fetch(conn, path, headers)  # connect and warm this worker
        start.wait()
        mine = latencies[index]
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                fetch(conn, path, headers)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(str(exc)[:200])
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append((time.perf_counter() - began) * 1000)
        conn.close()

    threads = [
        threading.Thread(target=worker, args=(i,), daemon=True)
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + duration + 0.5
    start.wait()
    began = time.perf_counter()
    deadline = began + duration
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [value for values in latencies for value in values]
    return len(flat) / elapsed, flat, errors


def create_database(admin_url: str) -> tuple[str, str]:
    name = f"hoso_listperf_doclist_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_clients() -> tuple[Client, Client, dict]:
    """The commune clerk and the province secretary, with API tokens and
    signed-in sessions (the secretary's verified by a TOTP device)."""
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.db.models import Count
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hoso.accounts.models import Person, Position, Role
    from hoso.accounts.services import create_token
    from hoso.documents.models import Document
    from hoso.organizations.models import Organization

    users = get_user_model().objects
    # The commune with the median number of documents in its subtree.
    communes = list(Organization.objects.filter(level="commune").order_by("code"))
    sizes = dict(
        Document.objects.filter(organization__level="commune")
        .values_list("organization_id")
        .annotate(n=Count("id"))
    )
    communes.sort(key=lambda commune: (sizes.get(commune.pk, 0), commune.code))
    commune = communes[len(communes) // 2]
    clerk = users.filter(username="vanthu.bench").first()
    if clerk is None:
        clerk = users.create_user("vanthu.bench", password=uuid.uuid4().hex)
        Person.objects.create(user=clerk, full_name="Văn thư Đo Tải")
        Position.objects.create(
            person=clerk.person,
            organization=commune,
            role=Role.objects.get(code="clerk"),
            title="Văn thư Đảng ủy",
        )
    secretary = users.get(username="bithu.tinh")
    device = TOTPDevice.objects.filter(user=secretary, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=secretary, name="bench", confirmed=True)
    engine = import_module(settings.SESSION_ENGINE)

    def session(user, device=None) -> str:
        store = engine.SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if device is not None:
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    def token(user) -> str:
        return create_token(user, name="bench", scopes=["read"])[1]

    scope = clerk.person.positions.get().organization
    info = {
        "commune": f"{scope.name} ({scope.path})",
        "commune_documents": Document.objects.filter(
            org_path__startswith=scope.path
        ).count(),
        "documents": Document.objects.count(),
    }
    return (
        Client("commune clerk", token(clerk), session(clerk)),
        Client("province secretary", token(secretary), session(secretary, device)),
        info,
    )


def explain(queries: dict[str, dict]) -> None:
    """Print the PostgreSQL plans of the list API's page and count queries
    for both users."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from hoso.documents.filtersets import filter_documents
    from hoso.documents.models import Document

    for username in ("vanthu.bench", "bithu.tinh"):
        user = get_user_model().objects.get(username=username)
        for label, params in queries.items():
            qs = filter_documents(
                Document.objects.restrict(user, "view").select_related("doc_type"),
                params,
            )
            sql, values = qs.order_by().values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    f"EXPLAIN ANALYZE SELECT COUNT(*) FROM ({sql}) c", values
                )
                count_plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"\n#### {username}: {label}\n\n```")
            print(qs[:PAGE_SIZE].explain(analyze=True))
            print(f"-- count\n{count_plan}\n```")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HOSO_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
        help="a database URL with the right to create databases",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--database", help="reuse this database (built by an earlier --keep run)"
    )
    parser.add_argument("--data-dir", help="data directory (with --database)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="build (and keep) the database, then stop",
    )
    options = parser.parse_args()

    admin_url = options.postgres_url
    if options.database:
        name = options.database
        database_url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    else:
        name, database_url = create_database(admin_url)
    data_dir = options.data_dir or tempfile.mkdtemp(prefix="hoso-bench-doclist-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hoso.config.settings",
            "HOSO_DATABASE_URL": database_url,
            "HOSO_DATA_DIR": data_dir,
        }
    )
    env = dict(os.environ)
    server = None
    try:
        build = None
        if not options.database:
            run_hoso(["migrate", "-v", "0"], env)
            started = time.perf_counter()
            output = run_hoso(
                [
                    "demo",
                    "--scale",
                    "province",
                    "--seed",
                    str(options.seed),
                    "--documents",
                    str(options.documents),
                ],
                env,
            )
            wall = time.perf_counter() - started
            match = BUILD_TIME.search(output)
            build = (float(match.group(2)) if match else float("nan"), wall)
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE documents_document")
            if options.build_only:
                options.keep = True
                print(f"Built in {build[1]:.0f} s.")
                return
        clerk, secretary, info = prepare_clients()
        from django.db import connections

        deep_secretary = 200
        queries = {
            "page 1": {"direction": "incoming"},
            "processing, by deadline": {
                "direction": "incoming",
                "status": "processing",
                "sort": "due_date",
            },
        }
        if options.explain:
            explain(queries)
        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hoso",
                "serve",
                "--no-worker",
                "--port",
                str(port),
                "--workers",
                str(options.workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for _ in range(120):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/accounts/login/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            sys.exit("The server did not start.")

        def api(params: dict) -> str:
            query = "&".join(f"{key}={value}" for key, value in params.items())
            return f"/api/v1/documents?{query}"

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        count = json.loads(fetch(conn, api(queries["page 1"]), clerk.headers("/api/")))[
            "count"
        ]
        deep_clerk = max(1, math.ceil(count / PAGE_SIZE))
        conn.close()
        print(
            f"Province set, {info['documents']:,} documents; commune clerk of "
            f"{info['commune']} ({info['commune_documents']:,} documents in "
            f"scope, {count:,} incoming visible); province secretary: all.\n"
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{options.workers} server workers, load average before: "
            f"{os.getloadavg()[0]:.1f}\n"
        )
        if build:
            print(
                f"Build: `hoso demo --scale province --documents "
                f"{options.documents}`: documents {build[0]:.0f} s, command "
                f"{build[1]:.0f} s wall.\n"
            )
        print(
            f"Sequential requests: {options.requests} per row after "
            f"{options.warmup} unmeasured, one keep-alive connection.\n"
        )
        meter = CpuMeter(server.pid, database_url, name)
        print(
            "| User | Request | p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) "
            "| server CPU (ms/req) | PostgreSQL CPU (ms/req) |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        rows = []
        for client, deep in ((clerk, deep_clerk), (secretary, deep_secretary)):
            rows += [
                (client, "API page 1", api(queries["page 1"])),
                (
                    client,
                    "API status=processing&sort=due_date",
                    api(queries["processing, by deadline"]),
                ),
                (
                    client,
                    f"API page {deep}",
                    api({**queries["page 1"], "page": deep}),
                ),
                (client, "register page /documents/incoming/", "/documents/incoming/"),
            ]
        for client, label, path in rows:
            sequential(port, client, path, 0, options.warmup)
            before = meter.snapshot()
            latencies = sequential(port, client, path, options.requests, 0)
            server_s, postgres_s = meter.since(before)
            print(
                f"| {client.label} | {label} | {percentile(latencies, 0.5):.1f} "
                f"| {percentile(latencies, 0.95):.1f} "
                f"| {percentile(latencies, 0.99):.1f} "
                f"| {statistics.fmean(latencies):.1f} "
                f"| {server_s * 1000 / options.requests:.1f} "
                f"| {postgres_s * 1000 / options.requests:.1f} |",
                flush=True,
            )
        print(
            f"\nThroughput: list API page 1, {options.concurrency} concurrent "
            f"keep-alive clients for {options.duration:.0f} s.\n"
        )
        print(
            "| User | Requests/s | p50 (ms) | p95 (ms) | p99 (ms) | errors "
            "| server CPU (ms/req) | PostgreSQL CPU (ms/req) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for client in (clerk, secretary):
            before = meter.snapshot()
            rate, latencies, errors = load(
                port,
                client,
                api(queries["page 1"]),
                options.concurrency,
                options.duration,
            )
            server_s, postgres_s = meter.since(before)
            done = max(len(latencies), 1)
            print(
                f"| {client.label} | {rate:.0f} | {percentile(latencies, 0.5):.1f} "
                f"| {percentile(latencies, 0.95):.1f} "
                f"| {percentile(latencies, 0.99):.1f} | {len(errors)} "
                f"| {server_s * 1000 / done:.1f} | {postgres_s * 1000 / done:.1f} |",
                flush=True,
            )
            if errors:
                print(f"\nFirst error: {errors[0]}\n")
        print(f"\nLoad average after: {os.getloadavg()[0]:.1f}")
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if not options.keep and not options.database:
            from django.db import connections

            connections.close_all()
            drop_database(admin_url, name)
            if not options.data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"\nKept database {name} (data directory {data_dir}).")


if __name__ == "__main__":
    main()

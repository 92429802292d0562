"""A population-registry simulator: its own small HTTP service for demos
and tests (`hoso registry-sim`). API: docs/registry-api.md.

Records come from a JSON file (a list of {citizen_id, full_name,
date_of_birth}) or from the member records in the database; seeded from the
database, a deterministic share of members gets deliberate mismatches (see
`seed_from_members`) so a demo shows every outcome.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import unicodedata
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def fold(name: str) -> str:
    """Names compare in NFC, case-insensitively, with spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def mismatch_kind(citizen_id: str) -> str:
    """Deterministic deliberate mismatches: 1 in 20 has another name, 1 in 20
    another date of birth, 1 in 20 is missing from the registry."""
    bucket = int(hashlib.sha256(citizen_id.encode()).hexdigest(), 16) % 20
    return {0: "name", 1: "birth", 2: "missing"}.get(bucket, "")


def seed_from_members(rows) -> dict[str, dict]:
    """Registry records from (citizen_id, full_name, date_of_birth) rows,
    with the deliberate mismatches applied."""
    records = {}
    for citizen_id, full_name, born in rows:
        kind = mismatch_kind(citizen_id)
        if kind == "missing":
            continue
        if kind == "name":
            parts = full_name.split()
            full_name = " ".join(parts[:-1] + ["Khác"]) if parts else "Khác"
        if kind == "birth":
            born = born + timedelta(days=1)
        records[citizen_id] = {
            "full_name": full_name,
            "date_of_birth": born.isoformat(),
        }
    return records


class RegistryServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, records: dict[str, dict], delay: float = 0.0):
        super().__init__(address, RegistryHandler)
        self.records = records
        self.delay = delay
        self.lock = threading.Lock()
        self.requests = 0


class RegistryHandler(BaseHTTPRequestHandler):
    server: RegistryServer
    server_version = "HosoRegistrySim/1"

    def log_message(self, format, *args):  # noqa: A002 — quiet by default
        pass

    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        if self.path == "/health":
            self._send(200, {"ok": True, "records": len(self.server.records)})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        with self.server.lock:
            self.server.requests += 1
        if self.server.delay:
            time.sleep(self.server.delay)
        if self.path != "/v1/citizens/verify":
            self._send(404, {"error": "not found"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            data = json.loads(self.rfile.read(min(length, 10_000)))
            citizen_id = str(data["citizen_id"])
            full_name = str(data["full_name"])
            born = date.fromisoformat(str(data["date_of_birth"]))
        except (ValueError, KeyError, TypeError):
            self._send(400, {"error": "citizen_id, full_name, date_of_birth required"})
            return
        record = self.server.records.get(citizen_id)
        if record is None:
            self._send(404, {"found": False})
            return
        mismatched = []
        if fold(record["full_name"]) != fold(full_name):
            mismatched.append("full_name")
        if record["date_of_birth"] != born.isoformat():
            mismatched.append("date_of_birth")
        self._send(
            200, {"found": True, "match": not mismatched, "mismatched": mismatched}
        )


def serve(host: str, port: int, records: dict, delay: float = 0.0, ready=None):
    server = RegistryServer((host, port), records, delay)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever()
    finally:
        server.server_close()

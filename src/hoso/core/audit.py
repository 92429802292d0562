"""Writing and verifying the audit chain.

Each entry's hash is HMAC-SHA256(AUDIT_KEY, canonical JSON of the entry's
fields including its chain position and the previous entry's hash). Without
the key, which lives outside the database, nobody can produce a chain that
verifies after editing, deleting or reordering rows. The chain head is also
appended periodically to a checkpoint file, so cutting off the newest entries
is detected too.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from hoso.core.models import AuditAlert, AuditEntry

GENESIS_HASH = "0" * 64
# Lock key for pg_advisory_xact_lock: serializes chain appends on PostgreSQL.
# (SQLite serializes writers already: transactions begin IMMEDIATE.)
_PG_LOCK_KEY = 0x484F534F  # "HOSO"

# The request's client address and user, set by ClientAddressMiddleware.
current_request: contextvars.ContextVar = contextvars.ContextVar(
    "hoso_current_request", default=None
)


def _normalize(value: Any) -> Any:
    """Make a value JSON-stable: floats and decimals become strings."""
    if isinstance(value, dict):
        return {str(k): _normalize(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_normalize(v) for v in value]
    if isinstance(value, float | Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _timestamp_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_digest(entry: AuditEntry, prev_hash: str) -> str:
    """The HMAC of an entry, given the hash it should follow."""
    payload = {
        "id": entry.id,
        "timestamp": _timestamp_text(entry.timestamp),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "organization_id": entry.organization_id,
        "org_path": entry.org_path,
        "client_ip": entry.client_ip,
        "changes": _normalize(entry.changes),
        "prev_hash": prev_hash,
    }
    message = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def record(
    action: str,
    *,
    obj: models.Model | None = None,
    actor=None,
    organization=None,
    changes: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    client_ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

    `obj` fills the object fields; `organization` defaults to the object's
    own organization (or the object itself when it is an organization).
    The actor and client address default to the current request's.
    """
    request = current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if client_ip is None and request is not None:
        client_ip = request.META.get("REMOTE_ADDR") or None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
        if organization is None:
            organization = _organization_of(obj)
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
        last_id, prev_hash = last if last else (0, GENESIS_HASH)
        entry = AuditEntry(
            id=last_id + 1,
            actor=actor,
            actor_name=(actor.get_username() if actor is not None else "")[:150],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:255],
            organization=organization,
            org_path=getattr(organization, "path", "") or "",
            client_ip=client_ip,
            changes=_normalize(changes or {}),
            prev_hash=prev_hash,
        )
        entry.hash = entry_digest(entry, prev_hash)
        entry.save(force_insert=True)
    return entry


def _organization_of(obj: models.Model):
    from hoso.organizations.models import Organization

    if isinstance(obj, Organization):
        return obj
    return getattr(obj, "organization", None)


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The instance's concrete field values, for before/after diffs."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = _normalize(field.value_from_object(instance))
    return data


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for every field whose value changed."""
    keys = sorted(set(before) | set(after))
    return {
        key: [before.get(key), after.get(key)]
        for key in keys
        if before.get(key) != after.get(key)
    }


@dataclass
class VerifyResult:
    """Outcome of a chain walk."""

    ok: bool
    checked: int
    entry_id: int | None = None
    message: str = ""


def verify_chain(checkpoint_file: Path | None = None) -> VerifyResult:
    """Walk the whole chain in order; report the first entry that fails.

    Detects an edited entry (its HMAC no longer matches), a removed entry
    (a gap in positions or a broken link), reordered entries (links out of
    order), and a cut-off tail (a checkpoint names an entry that is gone or
    differs). Streams rows, so memory stays bounded.
    """
    prev_hash = GENESIS_HASH
    expected_id = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.id != expected_id:
            return VerifyResult(
                False,
                checked,
                expected_id,
                f"Audit entry #{expected_id} was removed (next present: #{entry.id}).",
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                entry.id,
                f"Audit entry #{entry.id} does not follow #{entry.id - 1}: "
                "an entry was removed, reordered or altered.",
            )
        if not hmac.compare_digest(entry_digest(entry, prev_hash), entry.hash):
            return VerifyResult(
                False, checked, entry.id, f"Audit entry #{entry.id} was altered."
            )
        prev_hash = entry.hash
        expected_id += 1
        checked += 1
    for cp_id, cp_hash in read_checkpoints(checkpoint_file):
        row = AuditEntry.objects.filter(id=cp_id).values_list("hash", flat=True).first()
        if row is None:
            return VerifyResult(
                False,
                checked,
                cp_id,
                f"Audit entry #{cp_id} named by a checkpoint was removed.",
            )
        if row != cp_hash:
            return VerifyResult(
                False,
                checked,
                cp_id,
                f"Audit entry #{cp_id} differs from its checkpoint.",
            )
    return VerifyResult(True, checked, None, f"{checked} entries verified.")


def read_checkpoints(path: Path | None = None) -> list[tuple[int, str]]:
    """The (entry id, hash) pairs recorded in the checkpoint file."""
    path = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    if not path.exists():
        return []
    points = []
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].isdigit():
            points.append((int(parts[0]), parts[1]))
    return points


def write_checkpoint(path: Path | None = None) -> tuple[int, str] | None:
    """Append the current chain head to the append-only checkpoint file."""
    path = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    if head is None:
        return None
    points = read_checkpoints(path)
    if points and points[-1][0] == head[0]:
        return head
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{head[0]}\t{head[1]}\t{_timestamp_text(datetime.now(UTC))}\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return head


def verify_and_alert() -> VerifyResult:
    """Verify the chain; record an alert when broken, else checkpoint the head."""
    result = verify_chain()
    if result.ok:
        write_checkpoint()
    elif not AuditAlert.objects.filter(
        resolved=False, entry_id=result.entry_id, message=result.message
    ).exists():
        AuditAlert.objects.create(entry_id=result.entry_id, message=result.message)
    return result


# Triggers that refuse UPDATE and DELETE of audit rows.
TABLE = "core_auditentry"
_SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
_PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION hoso_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; "
    "$$ LANGUAGE plpgsql;",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION hoso_audit_append_only();",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION hoso_audit_append_only();",
]


def install_triggers(conn=connection) -> None:
    """Create the append-only triggers on the audit table."""
    statements = _PG_TRIGGERS if conn.vendor == "postgresql" else _SQLITE_TRIGGERS
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def drop_triggers(conn=connection) -> None:
    """Remove the triggers (what an attacker with database access would do)."""
    if conn.vendor == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};",
        ]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {TABLE}_no_update;",
            f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;",
        ]
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)

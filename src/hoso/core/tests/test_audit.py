"""The audit chain: recording, verification, tamper detection, triggers."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hoso.core import audit
from hoso.core.models import AuditAlert, AuditEntry


@pytest.fixture
def worker_in_test_transaction(monkeypatch):
    """The worker closes connections that are not in autocommit mode, which
    would end the test's transaction on PostgreSQL; keep it open here."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections",
        lambda: None,
    )


@pytest.fixture
def chain(db):
    """Five entries, the way services write them."""
    return [
        audit.record(
            f"test.event{n}",
            object_type="test",
            object_id=str(n),
            changes={"n": [None, n], "ratio": [None, 0.5]},
        )
        for n in range(1, 6)
    ]


def _execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_entries_are_chained(chain):
    assert chain[0].id == 1
    assert chain[0].prev_hash == audit.GENESIS_HASH
    for previous, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == previous.hash
        assert entry.id == previous.id + 1
    result = audit.verify_chain()
    assert result.ok and result.checked == 5


def test_stored_entry_rehashes_identically(chain):
    """What the database returns hashes the same as what was written."""
    for entry in AuditEntry.objects.order_by("id"):
        assert audit.entry_digest(entry, entry.prev_hash) == entry.hash


def test_hash_depends_on_the_secret_key(chain, settings):
    entry = AuditEntry.objects.get(id=3)
    settings.AUDIT_KEY = "another key"
    assert audit.entry_digest(entry, entry.prev_hash) != entry.hash
    assert not audit.verify_chain().ok


def test_triggers_refuse_update_and_delete(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(id=2).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(id=2).delete()
    assert AuditEntry.objects.get(id=2).action == "test.event2"


def test_tamper_edit_is_named(chain):
    """GIVEN an attacker with database access WHEN they drop the triggers and
    edit entry 3 THEN verification fails and names entry 3."""
    audit.drop_triggers()
    _execute(f"UPDATE {audit.TABLE} SET object_repr = 'forged' WHERE id = 3")
    result = audit.verify_chain()
    assert not result.ok
    assert result.entry_id == 3
    assert "#3" in result.message


def test_tamper_edit_with_recomputed_plain_hash_is_detected(chain):
    """Recomputing an unkeyed SHA-256 does not help without the HMAC key."""
    import hashlib

    audit.drop_triggers()
    forged = hashlib.sha256(b"forged").hexdigest()
    _execute(f"UPDATE {audit.TABLE} SET action = 'x', hash = %s WHERE id = 5", [forged])
    result = audit.verify_chain()
    assert not result.ok and result.entry_id == 5


def test_tamper_delete_is_named(chain):
    audit.drop_triggers()
    _execute(f"DELETE FROM {audit.TABLE} WHERE id = 2")
    result = audit.verify_chain()
    assert not result.ok
    assert result.entry_id == 2
    assert "removed" in result.message


def test_tamper_reorder_is_named(chain):
    """Swapping the positions of entries 2 and 3 breaks the chain at 2."""
    audit.drop_triggers()
    _execute(f"UPDATE {audit.TABLE} SET id = 1000 WHERE id = 2")
    _execute(f"UPDATE {audit.TABLE} SET id = 2 WHERE id = 3")
    _execute(f"UPDATE {audit.TABLE} SET id = 3 WHERE id = 1000")
    result = audit.verify_chain()
    assert not result.ok
    assert result.entry_id == 2


def test_truncated_tail_is_caught_by_checkpoint(chain, settings):
    """Cutting off the newest entries leaves a valid-looking chain, but the
    checkpoint file still names the old head."""
    audit.write_checkpoint()
    audit.drop_triggers()
    _execute(f"DELETE FROM {audit.TABLE} WHERE id >= 4")
    result = audit.verify_chain()
    assert not result.ok
    assert result.entry_id == 5


def test_checkpoint_is_appended_once_per_head(chain, settings):
    audit.write_checkpoint()
    audit.write_checkpoint()
    audit.record("test.more")
    audit.write_checkpoint()
    points = audit.read_checkpoints()
    assert [point[0] for point in points] == [5, 6]


def test_audit_verify_command_exit_codes(chain, capsys):
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out
    audit.drop_triggers()
    _execute(f"UPDATE {audit.TABLE} SET actor_name = 'mallory' WHERE id = 4")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify")
    assert exit_info.value.code == 1
    assert "#4" in capsys.readouterr().err


def test_scheduled_job_records_one_alert_when_broken(chain, worker_in_test_transaction):
    """The periodic verification job is a real django-tasks job: enqueued on
    the database backend and run by the worker; a repeat adds no duplicate."""
    from hoso.core.tasks import verify_audit_chain

    audit.drop_triggers()
    _execute(f"UPDATE {audit.TABLE} SET action = 'forged' WHERE id = 1")
    for _ in range(2):
        verify_audit_chain.enqueue()
        call_command("worker", batch=True, verbosity=0)
    alerts = list(AuditAlert.objects.all())
    assert len(alerts) == 1
    assert alerts[0].entry_id == 1


def test_scheduled_job_checkpoints_when_intact(chain, worker_in_test_transaction):
    from hoso.core.tasks import verify_audit_chain

    verify_audit_chain.enqueue()
    call_command("worker", batch=True, verbosity=0)
    assert audit.read_checkpoints()[-1][0] == 5
    assert not AuditAlert.objects.exists()


def test_concurrent_style_appends_keep_positions_dense(db):
    for n in range(50):
        audit.record("test.bulk", object_id=str(n))
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    assert ids == list(range(1, 51))
    assert audit.verify_chain().ok

"""Signal receivers that keep the search outbox in step with documents.

Signals are the right tool here: the index is derived data of another app,
and every path that changes a document (services, admin, imports) must feed
it without knowing about search. Each receiver only writes outbox rows, in
the transaction of the change, and asks for a processing run on commit.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from hoso.search.models import IndexOutbox


def _process_after_commit() -> None:
    from hoso.search.tasks import enqueue_processing

    enqueue_processing()


def schedule_processing() -> None:
    """Enqueue one outbox run after the current transaction commits (once
    per transaction, however many rows it wrote). Should a savepoint
    rollback drop the callback, the periodic safety net still drains the
    outbox."""
    if connection.in_atomic_block and any(
        entry[1] is _process_after_commit for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_process_after_commit)


def enqueue(document_ids, op: str = IndexOutbox.Op.UPSERT) -> None:
    """Write outbox rows for documents in the current transaction."""
    now = timezone.now()
    IndexOutbox.objects.bulk_create(
        [IndexOutbox(document_id=pk, op=op, created=now) for pk in document_ids]
    )
    schedule_processing()


def document_saved(sender, instance, raw=False, **kwargs) -> None:
    """A document was created or changed (status, metadata, text, path)."""
    if raw:
        return
    enqueue([instance.pk])


def document_deleted(sender, instance, **kwargs) -> None:
    """A document was deleted: remove it from the index."""
    enqueue([instance.pk], IndexOutbox.Op.DELETE)


def attachment_changed(sender, instance, raw=False, **kwargs) -> None:
    """A file was attached, removed or its text extracted: its text is part
    of the document's searchable text."""
    if raw:
        return
    enqueue([instance.document_id])


def subtree_moved(sender, old_path: str, new_path: str, **kwargs) -> None:
    """A subtree moved: every document under it has a new path, rewritten
    with a queryset update (no per-row signals), so queue them all in one
    INSERT … SELECT. Both paths are matched because the documents app may
    rewrite the rows before or after this receiver runs."""
    from hoso.documents.models import Document

    documents = Document._meta.db_table
    outbox = IndexOutbox._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {outbox} (document_id, op, created) "  # noqa: S608
            f"SELECT id, %s, %s FROM {documents} "
            "WHERE org_path LIKE %s OR org_path LIKE %s",
            [IndexOutbox.Op.UPSERT, timezone.now(), f"{old_path}%", f"{new_path}%"],
        )
    schedule_processing()

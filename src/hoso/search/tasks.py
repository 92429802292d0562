"""Background jobs of search: the outbox processor.

`process_outbox` is enqueued after every commit that wrote outbox rows and,
as a safety net, periodically (register it in `hoso.core.scheduling`). It is
idempotent: it applies the documents' current database state, so running it
twice, or after a crash between the index commit and the row deletion, only
re-indexes.
"""

from __future__ import annotations

import logging
import time

from django_tasks import task

from hoso.search import index as search_index
from hoso.search.models import IndexOutbox

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# The outbox processor indexes small batches: a small writer is enough.
WRITER_HEAP_BYTES = 32_000_000
BUSY_RETRIES = 10
BUSY_WAIT_SECONDS = 0.5


def process_pending(*, batch: int = BATCH_SIZE) -> int:
    """Apply every outbox row to the index, in id order, one writer for the
    whole run; return the number of rows processed.

    Each batch: read the documents' current state, delete the batch's
    documents from the index and add back those still in the database,
    commit, then delete the batch's rows.
    Raises IndexBusy when another process holds the writer.
    """
    index = search_index.get_index()
    processed = 0
    with index.writer(heap_bytes=WRITER_HEAP_BYTES, threads=1) as writer:
        while True:
            rows = list(
                IndexOutbox.objects.order_by("id").values_list("id", "document_id")[
                    :batch
                ]
            )
            if not rows:
                break
            document_ids = {document_id for _row, document_id in rows}
            sources = search_index.load_sources(document_ids)
            search_index.delete(writer, index.schema, document_ids)
            for source in sources:
                writer.add_document(search_index.to_index_document(source))
            writer.commit()
            # Only the rows read: a change committed meanwhile keeps its row.
            IndexOutbox.objects.filter(id__in=[row for row, _doc in rows]).delete()
            processed += len(rows)
    return processed


def process_with_retry() -> dict:
    """Process the outbox, waiting a little while another writer finishes
    (an outbox run in another worker drains our rows too; a rebuild drains
    the outbox when it ends).

    An index that cannot serve — of an older schema after an upgrade,
    corrupt, or left half-built by an interrupted rebuild — is rebuilt from
    the database first (resuming where a rebuild stopped), so it heals
    without an operator; searches say "unavailable" meanwhile."""
    for _attempt in range(BUSY_RETRIES):
        try:
            rebuilt = _heal()
            return {"processed": process_pending(), "busy": False, **rebuilt}
        except search_index.IndexBusy:
            time.sleep(BUSY_WAIT_SECONDS)
    logger.info("search index writer busy; outbox left for the next run")
    return {"processed": 0, "busy": True}


def _heal() -> dict:
    """Rebuild the index when it is unusable or a rebuild was interrupted."""
    try:
        search_index.get_index()
    except search_index.IndexUnavailable as error:
        logger.warning("search index unusable (%s): rebuilding it", error)
        return {"rebuilt": search_index.rebuild().indexed}
    if search_index.read_checkpoint() is not None:
        logger.warning("search index rebuild was interrupted: resuming it")
        return {"rebuilt": search_index.rebuild().indexed}
    return {}


@task()
def process_outbox() -> dict:
    """Apply pending index updates (after each change and periodically)."""
    return process_with_retry()


def enqueue_processing() -> None:
    """Enqueue `process_outbox` unless a run is already waiting to start
    (that run will see the new rows: it reads the outbox when it starts)."""
    try:
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.ready().filter(
            task_path=f"{process_outbox.module_path}"
        )
        if waiting.exists():
            return
    except ImportError:  # another tasks backend: no de-duplication
        pass
    process_outbox.enqueue()

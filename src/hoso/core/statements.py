"""Server-side prepared statements for the hot statements of fixed shape.

Django's psycopg cursors bind values on the client and send every statement
as new text, so PostgreSQL parses, analyzes and plans it on each call. For
most statements that is right: the planner sees the real values, and the
permission scope of a commune clerk and of a province secretary (a narrow
and a very wide path range) need different plans. A few statements of
every request never need a different plan: the API token lookup and the
grants of a signed-in user (a unique key and joins on primary keys).
Planning the token lookup cost 0.3 ms of PostgreSQL CPU, running it 0.05
ms (bench/document_list.py). The list API's items, planned inside the
page's statement, keep their plan in a function instead
(`documents/listing.py`).

`prepared_cursor()` gives such a statement a cursor that prepares it on its
connection the first time and then only binds and executes it; PostgreSQL
keeps a generic plan once five custom ones cost no less. It is a Django
cursor wrapper as any other (query logging, execute wrappers, database
errors). Elsewhere (SQLite, or with prepared statements switched off by
`HOSO_DATABASE_PREPARED_STATEMENTS=false`, for a transaction-pooling
connection pooler that cannot keep them) it is the plain cursor.

Only fixed-shape statements belong here: each distinct text takes a slot of
psycopg's per-connection cache (100 statements), and a statement whose best
plan depends on its values would get one plan for all of them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.backends.utils import CursorWrapper


@contextmanager
def prepared_cursor(alias: str) -> Iterator[CursorWrapper]:
    """A cursor whose statements are prepared on the server, where the
    connection allows it; else the connection's ordinary cursor."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # What `connection.cursor()` does, with a server-binding cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:  # switched off in settings
        with connection.cursor() as cursor:
            yield cursor
        return
    cursor_class, logging_wrapper = _classes()
    with connection.wrap_database_errors:
        raw = cursor_class(raw_connection)
    connection.validate_thread_sharing()
    if connection.queries_logged:
        cursor = logging_wrapper(raw, connection)
    else:
        cursor = connection.make_cursor(raw)
    with cursor:
        yield cursor


@functools.cache
def _classes() -> tuple[type, type]:
    """(Django's server-binding psycopg cursor, preparing what it executes;
    Django's query-logging wrapper, logging the statement with its values
    as it does for client-binding cursors). Imported on first use: only
    PostgreSQL deployments have psycopg."""
    from django.db.backends.postgresql.base import (
        CursorDebugWrapper,
        ServerBindingCursor,
    )

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            return super().execute(query, params, prepare=prepare, binary=binary)

    class LoggingWrapper(CursorDebugWrapper):
        def execute(self, sql, params=None):
            logged = self.db.ops.compose_sql(sql, params) if params else sql
            with self.debug_sql(logged, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, LoggingWrapper

"""The document list API's page, built without per-row Python objects.

`GET /api/v1/documents` is the busiest read of the system (SPEC §3: 300
requests/s on 2 cores at a million documents). Instantiating 50 `Document`
objects, validating them through the `DocumentOut` schema and encoding the
result costs about 12 ms of CPU per page; this module writes the same JSON
(`{"items": [...], "count": n, "count_capped": bool}`, items as
`DocumentOut`) with far less:

- on PostgreSQL, one statement reads the page's ids (id first, from the
  restricted, filtered and sorted queryset), builds the items with
  `json_agg` in a function that keeps its plan (`items_function_sql`), and
  counts up to the cap; Python only glues three values;
- elsewhere (SQLite), the page's rows come as tuples of the listed fields
  and are encoded with Ninja's JSON encoder.

Both write what the `DocumentOut` schema would (a test compares them on
both databases), so `DocumentOut` stays the documented item schema.
"""

from __future__ import annotations

import functools
import json

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import connections
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

from hoso.core import pagination
from hoso.core.pagination import capped_count, page_ids, with_tiebreak
from hoso.documents.models import Attachment, Document

# Output key → model field (or annotation), in `DocumentOut`'s order.
ITEM_FIELDS = {
    "id": "id",
    "organization": "organization_id",
    "direction": "direction",
    "status": "status",
    "doc_type": "doc_type_id",
    "doc_type_code": "doc_type_code",
    "number": "number",
    "symbol": "symbol",
    "issuer_name": "issuer_name",
    "issuer": "issuer_id",
    "place": "place",
    "issued_date": "issued_date",
    "excerpt": "excerpt",
    "signer_name": "signer_name",
    "signer_position": "signer_position",
    "urgency": "urgency",
    "secrecy": "secrecy",
    "page_count": "page_count",
    "recipients_text": "recipients_text",
    "due_date": "due_date",
    "language": "language",
    "arrival_number": "arrival_number",
    "arrival_date": "arrival_date",
    "register_year": "register_year",
    "created": "created",
    "signature_status": "signature_status",
}
# Timestamps, which Ninja's encoder (Django's) writes in UTC with
# milliseconds, and "Z": 2026-11-22T04:40:49.123Z (no fraction when zero).
DATETIME_FIELDS = {"arrival_date", "created"}
JSON = "application/json; charset=utf-8"


def _json_expression(column: str, key: str) -> str:
    """The SQL value of one item key, written as Ninja's encoder would."""
    if key in DATETIME_FIELDS:
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (
            f"CASE WHEN {column} IS NULL THEN NULL ELSE "
            f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN mod(date_part('microseconds', {column})::int, 1000000) = 0 "
            f"THEN '' ELSE to_char({utc}, '.MS') END || 'Z' END"
        )
    return column


@functools.cache
def _item_sql() -> str:
    """`json_build_object(...)` of one document row `d` (type `t`)."""
    columns = {
        field: f"d.{Document._meta.get_field(field.removesuffix('_id')).column}"
        for field in ITEM_FIELDS.values()
        if field not in ("doc_type_code", "signature_status")
    }
    columns["doc_type_code"] = "t.code"
    columns["signature_status"] = (
        "(SELECT a.signature_status FROM documents_attachment a "
        "WHERE a.document_id = d.id AND a.is_main ORDER BY a.created LIMIT 1)"
    )
    pairs = ", ".join(
        f"'{key}', {_json_expression(columns[field], key)}"
        for key, field in ITEM_FIELDS.items()
    )
    return f"json_build_object({pairs})"


# The PostgreSQL function that writes a page's items (migration 0009).
ITEMS_FUNCTION = "documents_list_items"


def items_function_sql() -> str:
    """`CREATE OR REPLACE FUNCTION` of the items function, for the current
    `ITEM_FIELDS`.

    A PL/pgSQL function keeps its statement's plan for the session, so the
    26 JSON keys are planned once per connection instead of on every
    request: 0.5–0.6 ms of PostgreSQL CPU, a quarter of the list API's
    page statement at a million documents (bench/document_list.py). STABLE,
    so it reads the calling statement's snapshot: the items are the rows
    its page ids were chosen from. Migrations freeze this text; a test
    fails when it no longer matches the installed function, and then a new
    migration must install it.
    """
    return (  # names and expressions from the models; no values
        f"CREATE OR REPLACE FUNCTION {ITEMS_FUNCTION}(ids bigint[]) RETURNS text "  # noqa: S608
        "LANGUAGE plpgsql STABLE AS $items$\nBEGIN\n  RETURN (\n"
        f"    SELECT coalesce(json_agg({_item_sql()} ORDER BY page.ord), '[]')::text\n"
        "    FROM unnest(ids) WITH ORDINALITY AS page(id, ord)\n"
        "    JOIN documents_document d ON d.id = page.id\n"
        "    JOIN documents_documenttype t ON t.id = d.doc_type_id\n"
        "  );\nEND\n$items$"
    )


def page_response(queryset: QuerySet, page: int, page_size: int) -> HttpResponse:
    """The JSON answer for one page of a restricted, filtered, sorted
    documents queryset."""
    offset = (page - 1) * page_size
    if connections[queryset.db].vendor == "postgresql":
        body = _page_postgresql(queryset, offset, page_size)
    else:
        body = _page_python(queryset, offset, page_size)
    return HttpResponse(body, content_type=JSON)


def _page_postgresql(queryset: QuerySet, offset: int, size: int) -> str:
    """One statement: page ids in order, items as JSON, capped count."""
    try:
        return _statement_postgresql(queryset, offset, size)
    except EmptyResultSet:  # restrict() gave none(): nothing to ask
        return '{"items": [], "count": 0, "count_capped": false}'


def _order_sql(queryset: QuerySet) -> str | None:
    """`ORDER BY` of the queryset's ordering (ties broken by id), when every
    key is a column of the documents table; else None."""
    if queryset.query.extra_order_by:
        return None
    ordering = with_tiebreak(queryset).query.order_by
    quote = connections[queryset.db].ops.quote_name
    table = quote(Document._meta.db_table)
    keys = []
    for key in ordering:
        if not isinstance(key, str):
            return None
        name = key.lstrip("-")
        try:
            field = (
                Document._meta.pk if name == "pk" else Document._meta.get_field(name)
            )
        except FieldDoesNotExist:
            return None
        if not field.concrete or field.is_relation:  # a relation sorts by its model
            return None
        direction = " DESC" if key.startswith("-") else " ASC"
        keys.append(f"{table}.{quote(field.column)}{direction}")
    return f" ORDER BY {', '.join(keys)}" if keys else None


def _page_and_count_sql(
    queryset: QuerySet, offset: int, size: int
) -> tuple[str, list, str, list]:
    """(page ids SQL, params, capped count SQL, params).

    Both are the same filtered query, one ordered and sliced, one cut at
    the cap. Django compiles it once, without ordering or slice, and the
    two tails are added here: compiling cost about 0.3 ms per query, a
    tenth of the request. Anything the tails could not simply follow
    (distinct, grouping, a union, an ordering by an expression or a
    related field) is compiled twice by Django instead.
    """
    query = queryset.query
    order = _order_sql(queryset)
    if (
        order is None
        or query.combinator
        or query.distinct
        or query.group_by is not None
        or query.is_sliced
    ):
        ids_sql, ids_params = (
            with_tiebreak(queryset)
            .values("pk")[offset : offset + size]
            .query.sql_with_params()
        )
        count_sql, count_params = (
            queryset.order_by()
            .values("pk")[: pagination.COUNT_CAP + 1]
            .query.sql_with_params()
        )
        return ids_sql, list(ids_params), count_sql, list(count_params)
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return (
        f"{sql}{order} LIMIT %s OFFSET %s",
        [*params, size, offset],
        f"{sql} LIMIT %s",
        [*params, pagination.COUNT_CAP + 1],
    )


def _statement_postgresql(queryset: QuerySet, offset: int, size: int) -> str:
    ids_sql, ids_params, count_sql, count_params = _page_and_count_sql(
        queryset, offset, size
    )
    # Composed of Django-compiled SQL and constants; every value is a
    # parameter.
    sql = (
        f"SELECT (SELECT COUNT(*) FROM ({count_sql}) c), "  # noqa: S608
        f"{ITEMS_FUNCTION}(ARRAY({ids_sql}))"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, (*count_params, *ids_params))
        count, items = cursor.fetchone()
    over = "true" if count > pagination.COUNT_CAP else "false"
    return f'{{"items": {items}, "count": {count}, "count_capped": {over}}}'


def _page_python(queryset: QuerySet, offset: int, size: int) -> str:
    """Page ids, then the listed fields of those rows as tuples."""
    ids = page_ids(queryset, offset, size)
    main_file = Attachment.objects.filter(document=OuterRef("pk"), is_main=True)
    rows = (
        queryset.filter(pk__in=ids)  # the scope again: no window between the two
        .order_by()
        .annotate(
            doc_type_code=F("doc_type__code"),
            signature_status=Subquery(main_file.values("signature_status")[:1]),
        )
        .values_list(*ITEM_FIELDS.values())
    )
    keys = list(ITEM_FIELDS)
    found = {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
    count, capped = capped_count(queryset)
    page = {
        "items": [found[pk] for pk in ids if pk in found],
        "count": count,
        "count_capped": capped,
    }
    return json.dumps(page, cls=NinjaJSONEncoder)

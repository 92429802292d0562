"""The list API's items as a PostgreSQL function that keeps its plan.

`GET /api/v1/documents` writes its page's items with `json_build_object`
over 26 keys (`documents/listing.py`). Planned afresh in every request's
statement, those expressions cost 0.5–0.6 ms of PostgreSQL CPU, a quarter
of the statement at a million documents; a PL/pgSQL function plans its
statement once per connection. It is STABLE, so it reads the snapshot of
the statement that calls it, the one that chose the page's ids.

The text is `hoso.documents.listing.items_function_sql()` as it was
written; `documents/tests/test_lists.py` fails when the two differ, and a
new migration must then install the new text. Other databases build the
items in Python.
"""

from django.db import migrations

FUNCTION = "documents_list_items"
CREATE = r"""CREATE OR REPLACE FUNCTION documents_list_items(ids bigint[]) RETURNS text LANGUAGE plpgsql STABLE AS $items$
BEGIN
  RETURN (
    SELECT coalesce(json_agg(json_build_object('id', d.id, 'organization', d.organization_id, 'direction', d.direction, 'status', d.status, 'doc_type', d.doc_type_id, 'doc_type_code', t.code, 'number', d.number, 'symbol', d.symbol, 'issuer_name', d.issuer_name, 'issuer', d.issuer_id, 'place', d.place, 'issued_date', d.issued_date, 'excerpt', d.excerpt, 'signer_name', d.signer_name, 'signer_position', d.signer_position, 'urgency', d.urgency, 'secrecy', d.secrecy, 'page_count', d.page_count, 'recipients_text', d.recipients_text, 'due_date', d.due_date, 'language', d.language, 'arrival_number', d.arrival_number, 'arrival_date', CASE WHEN d.arrival_date IS NULL THEN NULL ELSE to_char((d.arrival_date AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN mod(date_part('microseconds', d.arrival_date)::int, 1000000) = 0 THEN '' ELSE to_char((d.arrival_date AT TIME ZONE 'UTC'), '.MS') END || 'Z' END, 'register_year', d.register_year, 'created', CASE WHEN d.created IS NULL THEN NULL ELSE to_char((d.created AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS') || CASE WHEN mod(date_part('microseconds', d.created)::int, 1000000) = 0 THEN '' ELSE to_char((d.created AT TIME ZONE 'UTC'), '.MS') END || 'Z' END, 'signature_status', (SELECT a.signature_status FROM documents_attachment a WHERE a.document_id = d.id AND a.is_main ORDER BY a.created LIMIT 1)) ORDER BY page.ord), '[]')::text
    FROM unnest(ids) WITH ORDINALITY AS page(id, ord)
    JOIN documents_document d ON d.id = page.id
    JOIN documents_documenttype t ON t.id = d.doc_type_id
  );
END
$items$"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint[])")


class Migration(migrations.Migration):
    dependencies = [("documents", "0008_scope_count_index")]
    operations = [migrations.RunPython(create_function, drop_function)]

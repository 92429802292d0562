"""PostgreSQL indexes for sorting the registers by any listed field.

A register sorted by a field (status, deadline, date, symbol…) pages with
`ORDER BY <field>, id LIMIT 50`. For a wide scope (the province secretary
sees 585,000 incoming documents) without an index in that order, PostgreSQL
sorts every row of the scope for each page: 1.2 s for `?sort=status` on the
province set with 1,000,000 documents (bench/document_list.py). With
(direction, <field>, id) INCLUDE (org_path, secrecy) the page is read in
index order, with the scope and clearance filters applied inside an
index-only scan, and stops after 50 rows. The same index read backwards
serves the descending sort. `created` has its index already (0004).

Plain CREATE INDEX, like 0004: it blocks writes to the table while it builds.
Other databases keep the model's indexes only.
"""

from django.db import migrations

SORTED_FIELDS = (
    "arrival_number",
    "number",
    "symbol",
    "issued_date",
    "due_date",
    "urgency",
    "status",
    "issuer_name",
)
INDEXES = {
    f"documents_doc_sort_{field}_idx": (
        f"(direction, {field}, id) INCLUDE (org_path, secrecy)"
    )
    for field in SORTED_FIELDS
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON documents_document {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0006_attachment_text")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]

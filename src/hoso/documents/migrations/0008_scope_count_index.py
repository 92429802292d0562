"""A PostgreSQL index that counts a scope in its index condition.

The list API counts the documents of a scope up to 10,001 on every request
(`core/pagination.py`). The indexes that lead with (direction, org_path)
also carry created and id, and keep secrecy as an INCLUDE column, so the
count read each entry whole and checked the clearance row by row: about
1.5 ms of PostgreSQL CPU for the province secretary's 10,001 rows, most of
the list API's database time (bench/document_list.py). On (direction,
org_path, secrecy) the scope range and the clearance are both index
conditions, and btree deduplication stores the many documents of one
organization and secrecy level as one posting list: the count takes about
half the time, and the index about 7 MB at 1,000,000 documents.

Plain CREATE INDEX, like 0004 and 0007: it blocks writes to the table while
it builds (about 5 s at 1,000,000 documents). Other databases keep the
model's indexes only.
"""

from django.db import migrations

NAME = "documents_doc_scope_count_idx"
DEFINITION = "(direction, org_path varchar_pattern_ops, secrecy)"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON documents_document {DEFINITION}"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_sort_indexes")]
    operations = [migrations.RunPython(create_index, drop_index)]

"""PostgreSQL indexes for the register lists at a million documents.

The permission filter is a prefix match, `org_path LIKE '/1/7/%'`. A plain
B-tree index serves LIKE only under the "C" collation; databases created with
a language collation (including C.UTF-8 on PostgreSQL 15) need the
`varchar_pattern_ops` operator class, so the model's (org_path, direction,
-created) index is never used for it. Measured on the province set with
1,000,000 documents (bench/document_list.py):

- (direction, created DESC, id DESC) INCLUDE (org_path, secrecy): the
  newest-first page of a wide scope (a province secretary sees everything)
  is read in index order and stops after 50 rows: 0.2 ms instead of a
  350 ms parallel sequential scan. The included columns let a query that
  pages over ids alone (`values_list("pk")[offset:offset + 50]`) apply the
  scope and clearance filters inside an index-only scan: a commune's page 1
  in 1 ms, the 200th page of the whole province in 3 ms.
- (direction, org_path pattern, created DESC, id DESC) INCLUDE (secrecy):
  a narrow scope (a commune) is an index range, counted by an index-only
  scan (2.6 ms instead of 185 ms).
- (direction, status, org_path pattern) INCLUDE (secrecy): the desks and
  status filters (inbox, being processed, overdue), listed and counted
  within the scope.

Plain CREATE INDEX: it blocks writes to the table while it builds (a few
seconds per million rows). Other databases keep the model's indexes only.
"""

from django.db import migrations

INDEXES = {
    "documents_doc_dir_created_idx": (
        "(direction, created DESC, id DESC) INCLUDE (org_path, secrecy)"
    ),
    "documents_doc_scope_created_idx": (
        "(direction, org_path varchar_pattern_ops, created DESC, id DESC) "
        "INCLUDE (secrecy)"
    ),
    "documents_doc_dir_status_scope_idx": (
        "(direction, status, org_path varchar_pattern_ops) INCLUDE (secrecy)"
    ),
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
    dependencies = [("documents", "0003_attachment_signatures")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]

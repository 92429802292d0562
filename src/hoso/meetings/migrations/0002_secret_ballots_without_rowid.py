"""On SQLite, keep secret ballots in a WITHOUT ROWID table.

An ordinary SQLite table has a hidden, increasing `rowid` that records the
order rows were inserted in; with it, ballots could be put in casting order
and matched against the order of "has voted" receipts or the audit log. A
WITHOUT ROWID table is stored in the order of its random primary key only.
(PostgreSQL has no such column; ballots of a closed vote are rewritten in
random order, see services.close_vote.)
"""

from django.db import migrations

TABLE = "meetings_secretballot"


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE "{TABLE}_new" ('
            '"id" varchar(32) NOT NULL PRIMARY KEY, '
            '"choice" text NOT NULL CHECK ((JSON_VALID("choice") OR "choice" IS NULL)), '
            '"vote_id" bigint NOT NULL REFERENCES "meetings_vote" ("id") '
            "DEFERRABLE INITIALLY DEFERRED) WITHOUT ROWID"
        )
        cursor.execute(f'INSERT INTO "{TABLE}_new" SELECT id, choice, vote_id FROM "{TABLE}"')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(f'ALTER TABLE "{TABLE}_new" RENAME TO "{TABLE}"')
        cursor.execute(
            f'CREATE INDEX "meetings_secretballot_vote_id_685bcbaf" ON "{TABLE}" ("vote_id")'
        )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]

"""Triggers that make the audit table append-only on SQLite and PostgreSQL."""

from django.db import migrations


def install(apps, schema_editor):
    from hoso.core.audit import install_triggers

    install_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    from hoso.core.audit import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]

"""Seed the default roles (editable afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from hoso.accounts.roles import DEFAULT_ROLES

    Role = apps.get_model("accounts", "Role")
    for code, (name, rank, patterns) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank, "permissions": patterns}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

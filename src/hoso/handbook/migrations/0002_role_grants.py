"""Secretaries, deputies and clerks publish to the library, run study
sessions and answer feedback; other staff roles read them."""

from django.db import migrations

GRANTS = {
    "secretary": ["handbook.*"],
    "deputy_secretary": ["handbook.*"],
    "clerk": ["handbook.*"],
    "standing_member": ["handbook.view_*"],
    "inspector": ["handbook.view_*"],
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, patterns in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.permissions = sorted(set(role.permissions) | set(patterns))
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, patterns in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.permissions = sorted(set(role.permissions) - set(patterns))
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("handbook", "0001_initial"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, revoke)]

"""Clerks run the archive (duplicates, completeness, handover packages);
secretaries and inspectors see its reports."""

from django.db import migrations

GRANTS = {
    "clerk": ["archive.*"],
    "secretary": ["archive.view_*"],
    "deputy_secretary": ["archive.view_*"],
    "inspector": ["archive.view_*"],
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
    dependencies = [("archive", "0001_initial"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, revoke)]

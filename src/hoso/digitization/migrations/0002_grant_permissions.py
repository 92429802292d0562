"""Clerks and specialists run the scan intake and the review queue;
secretaries, deputies and inspectors may look at it."""

from django.db import migrations

GRANTS = {
    "clerk": ["digitization.*"],
    "specialist": ["digitization.*"],
    "secretary": ["digitization.view_*"],
    "deputy_secretary": ["digitization.view_*"],
    "inspector": ["digitization.view_*"],
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
    dependencies = [
        ("digitization", "0001_initial"),
        ("accounts", "0002_default_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

"""Secretaries, deputies and clerks run meetings; the other roles see the
meetings of their subtree; members see their cell's meetings (and every
meeting they are invited to, whatever their role)."""

from django.db import migrations

GRANTS = {
    "secretary": ["meetings.*"],
    "deputy_secretary": ["meetings.*"],
    "clerk": ["meetings.*"],
    "standing_member": ["meetings.view_*"],
    "inspector": ["meetings.view_*"],
    "specialist": ["meetings.view_*"],
    "member": ["meetings.view_meeting", "meetings.view_vote"],
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
        ("meetings", "0002_secret_ballots_without_rowid"),
        ("accounts", "0002_default_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]

"""Who does what in the operations centre: leaders assign tasks, define
indicators and report forms; specialists and clerks enter values and fill
in reports; inspectors read; members see the tasks they are part of."""

from django.db import migrations

VIEW = "operations.view_*"
GRANTS = {
    "secretary": ["operations.*"],
    "deputy_secretary": ["operations.*"],
    "standing_member": [VIEW, "operations.add_task", "operations.change_task"],
    "specialist": [
        VIEW,
        "operations.add_task",
        "operations.change_task",
        "operations.add_indicatorvalue",
        "operations.change_reportsubmission",
    ],
    "clerk": [
        VIEW,
        "operations.add_indicatorvalue",
        "operations.change_reportsubmission",
    ],
    "inspector": [VIEW],
    "member": ["operations.view_task"],
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
    dependencies = [("operations", "0001_initial"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, revoke)]

"""Leaders sign documents; certificates are visible to those who manage them."""

from django.db import migrations

GRANTS = {
    "secretary": ["documents.sign_document", "signing.view_certificate"],
    "deputy_secretary": ["documents.sign_document", "signing.view_certificate"],
    "clerk": ["signing.view_certificate"],
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, patterns in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.permissions = sorted(set(role.permissions) | set(patterns))
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_list_indexes"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

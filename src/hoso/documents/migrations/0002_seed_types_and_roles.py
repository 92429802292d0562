"""Seed the document type tables and grant document permissions to roles."""

from django.db import migrations

ROLE_GRANTS = {
    "secretary": [
        "documents.view_*",
        "documents.add_document",
        "documents.change_document",
        "documents.instruct_document",
        "documents.approve_document",
        "documents.process_document",
    ],
    "deputy_secretary": [
        "documents.view_*",
        "documents.add_document",
        "documents.change_document",
        "documents.instruct_document",
        "documents.approve_document",
        "documents.process_document",
    ],
    "standing_member": [
        "documents.view_*",
        "documents.add_document",
        "documents.change_document",
        "documents.process_document",
    ],
    "clerk": [
        "documents.view_*",
        "documents.add_document",
        "documents.change_document",
        "documents.register_document",
        "documents.issue_document",
        "documents.add_casefile",
        "documents.change_casefile",
    ],
    "specialist": [
        "documents.view_*",
        "documents.add_document",
        "documents.change_document",
        "documents.process_document",
        "documents.add_casefile",
        "documents.change_casefile",
    ],
    "inspector": ["documents.view_*"],
}


def seed(apps, schema_editor):
    from hoso.documents.types import PARTY_TYPES, STATE_TYPES

    DocumentType = apps.get_model("documents", "DocumentType")
    for system, table in (("party", PARTY_TYPES), ("state", STATE_TYPES)):
        for code, name in table:
            DocumentType.objects.update_or_create(
                system=system, code=code, defaults={"name": name}
            )
    Role = apps.get_model("accounts", "Role")
    for code, patterns in ROLE_GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is None:
            continue
        role.permissions = sorted(set(role.permissions) | set(patterns))
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("accounts", "0002_default_roles"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

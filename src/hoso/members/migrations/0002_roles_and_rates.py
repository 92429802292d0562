"""Grant the member-record permissions to the default roles and seed the
dues rate table (rates are data: edit them, or add a row with a later
effective date when the rules change)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

GRANTS = {
    "secretary": ["members.*"],
    "deputy_secretary": ["members.*"],
    "clerk": [
        "members.view_*",
        "members.add_member",
        "members.change_member",
        "members.import_member",
        "members.export_member",
        "members.add_duespayment",
        "members.change_duespayment",
        "members.change_transfer",
    ],
    "inspector": [
        "members.view_member",
        "members.view_sensitive_member",
        "members.discipline_member",
        "members.view_transfer",
    ],
    "standing_member": ["members.view_member", "members.view_transfer"],
    "specialist": ["members.view_member"],
}

# (category, effective from, percent, flat amount VND, note)
RATES = [
    ("salaried", date(2017, 1, 1), Decimal("1.00"), None, "QĐ 342-QĐ/TW"),
    ("pensioner", date(2017, 1, 1), Decimal("0.50"), None, "QĐ 342-QĐ/TW"),
    ("other", date(2017, 1, 1), None, 3000, "QĐ 342-QĐ/TW (check)"),
]


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, patterns in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.permissions = sorted(set(role.permissions) | set(patterns))
            role.save(update_fields=["permissions"])
    DuesRate = apps.get_model("members", "DuesRate")
    for category, since, percent, flat, note in RATES:
        DuesRate.objects.get_or_create(
            category=category,
            effective_from=since,
            defaults={"percent": percent, "flat_amount": flat, "note": note},
        )


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code, patterns in GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is not None:
            role.permissions = sorted(set(role.permissions) - set(patterns))
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("accounts", "0002_default_roles")]
    operations = [migrations.RunPython(grant, revoke)]

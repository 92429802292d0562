"""The default roles and the permission patterns they grant.

Roles are data (editable in the admin); this table seeds them and each later
capability's migration extends them. Patterns: `<app>.<action>_<model>` with
shell wildcards.
"""

from django.utils.translation import gettext_noop as _

READ_RECORDS = [
    "organizations.view_organization",
    "accounts.view_person",
    "accounts.view_position",
]

# code: (name, rank, patterns)
DEFAULT_ROLES: dict[str, tuple[str, int, list[str]]] = {
    "secretary": (
        _("Secretary"),
        10,
        [
            *READ_RECORDS,
            "organizations.add_organization",
            "organizations.change_organization",
            "accounts.add_person",
            "accounts.change_person",
            "accounts.add_position",
            "accounts.change_position",
            "core.view_auditentry",
        ],
    ),
    "deputy_secretary": (
        _("Deputy secretary"),
        20,
        [
            *READ_RECORDS,
            "organizations.change_organization",
            "accounts.add_position",
            "accounts.change_position",
            "core.view_auditentry",
        ],
    ),
    "standing_member": (_("Standing committee member"), 30, [*READ_RECORDS]),
    "inspector": (_("Inspector"), 40, [*READ_RECORDS, "core.view_auditentry"]),
    "clerk": (
        _("Clerk"),
        50,
        [*READ_RECORDS, "accounts.add_person", "accounts.change_person"],
    ),
    "specialist": (_("Specialist"), 60, [*READ_RECORDS]),
    "member": (_("Member"), 90, ["organizations.view_organization"]),
    "administrator": (_("Administrator"), 5, ["*"]),
}

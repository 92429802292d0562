"""The Django admin is for superusers, and its edits are audited."""

from django.contrib.auth import get_user_model

from hoso.accounts.models import Role
from hoso.core.models import AuditEntry


def test_role_edit_in_admin_is_audited(client, db):
    admin_user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    role = Role.objects.get(code="specialist")
    response = client.post(
        f"/admin/accounts/role/{role.pk}/change/",
        {
            "code": "specialist",
            "name": "Specialist",
            "rank": 60,
            "permissions": '["organizations.view_organization"]',
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.changed")
    assert entry.changes["permissions"][1] == ["organizations.view_organization"]


def test_audit_entries_cannot_be_edited_in_admin(client, db):
    admin_user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    response = client.get("/admin/core/auditentry/add/")
    assert response.status_code == 403

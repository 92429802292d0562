from django.contrib import admin

from hoso.core.admin import AuditedAdmin
from hoso.organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    """Read-mostly: the tree changes through the services (paths, audit), so
    structural fields are read-only here."""

    list_display = ["name", "code", "abbreviation", "level", "kind", "valid_to"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    readonly_fields = ["parent", "path", "depth"]
    raw_id_fields = ["successor"]

    def has_add_permission(self, request):
        return False

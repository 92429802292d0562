"""Administration of the archive: flags and packages are read-only here (they
change through the services, which audit), so superusers can look, not edit."""

from django.contrib import admin

from hoso.archive.models import DuplicateFlag, HandoverPackage


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(ReadOnlyAdmin):
    list_display = ["id", "organization", "document", "other", "kind", "decision"]
    list_filter = ["kind", "decision"]
    raw_id_fields = ["organization", "document", "other", "decided_by"]


@admin.register(HandoverPackage)
class HandoverPackageAdmin(ReadOnlyAdmin):
    list_display = ["external_identifier", "direction", "organization", "created"]
    list_filter = ["direction"]
    search_fields = ["external_identifier", "source_organization"]
    raw_id_fields = ["organization", "documents", "audit_file", "created_by"]

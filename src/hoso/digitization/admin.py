"""Administration of the scan intake: for superusers to look into batches,
files and review records (changes go through the pages and services)."""

from django.contrib import admin

from hoso.digitization.models import IntakeRecord, ScanBatch, ScanItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services and jobs only: the admin looks, never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScanBatch)
class ScanBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "organization", "status", "item_count", "created"]
    list_filter = ["status", "source"]
    search_fields = ["name", "organization__name"]


@admin.register(ScanItem)
class ScanItemAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "original_name",
        "batch",
        "status",
        "pages",
        "needed_cleanup",
        "ocr_seconds",
    ]
    list_filter = ["status", "method", "needed_cleanup"]
    search_fields = ["original_name"]


@admin.register(IntakeRecord)
class IntakeRecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "item", "organization", "status", "reviewer", "reviewed_at"]
    list_filter = ["status"]

"""Django admin for superusers: audited saves, read-only audit log."""

from django.contrib import admin

from hoso.core import audit
from hoso.core.models import AuditAlert, AuditEntry


class AuditedAdmin(admin.ModelAdmin):
    """Admin whose saves and deletes are written to the audit chain, like any
    service change."""

    def save_model(self, request, obj, form, change):
        before = {} if not change else audit.snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        audit.record(
            f"admin.{'changed' if change else 'added'}",
            obj=obj,
            actor=request.user,
            changes=audit.diff(before, audit.snapshot(obj)),
        )

    def delete_model(self, request, obj):
        audit.record("admin.deleted", obj=obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "timestamp",
        "actor_name",
        "action",
        "object_repr",
        "client_ip",
    ]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_repr", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditAlert)
class AuditAlertAdmin(admin.ModelAdmin):
    list_display = ["created", "entry_id", "message", "resolved"]
    list_filter = ["resolved"]

from django.contrib import admin

from hoso.accounts.models import ApiToken, Person, Position, Role
from hoso.core.admin import AuditedAdmin


@admin.register(Role)
class RoleAdmin(AuditedAdmin):
    """Roles and their permission patterns are data, edited here."""

    list_display = ["code", "name", "rank"]


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    raw_id_fields = ["organization"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["full_name", "user", "clearance", "email"]
    list_filter = ["clearance"]
    search_fields = ["full_name", "user__username", "citizen_id"]
    raw_id_fields = ["user"]
    inlines = [PositionInline]


@admin.register(Position)
class PositionAdmin(AuditedAdmin):
    list_display = ["person", "role", "organization", "start_date", "end_date"]
    list_filter = ["role"]
    raw_id_fields = ["person", "organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scopes", "created", "revoked"]
    readonly_fields = ["user", "prefix", "digest", "scopes", "created", "last_used"]

    def has_add_permission(self, request):
        return False

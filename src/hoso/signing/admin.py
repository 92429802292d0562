from django.contrib import admin

from hoso.signing.models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates change through `hoso ca` and the services,
    which audit every step; private keys are never shown."""

    list_display = [
        "subject_cn",
        "kind",
        "issuer_cn",
        "not_before",
        "not_after",
        "trusted",
        "revoked_at",
    ]
    list_filter = ["kind", "trusted"]
    search_fields = ["subject_cn", "issuer_cn", "serial", "fingerprint"]
    exclude = ["private_key_pem", "image"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

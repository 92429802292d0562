"""Administration of the document type tables and committee terms (data)."""

from django.contrib import admin

from hoso.core.admin import AuditedAdmin
from hoso.documents.models import DocumentType, Term


@admin.register(DocumentType)
class DocumentTypeAdmin(AuditedAdmin):
    list_display = ["code", "name", "system", "is_active"]
    list_filter = ["system", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ["name", "organization", "start_date", "end_date"]
    raw_id_fields = ["organization"]
    search_fields = ["name", "organization__name"]

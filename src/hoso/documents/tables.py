"""Document tables."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hoso.documents.models import CaseFile, Document


class DocumentTable(tables.Table):
    arrival_number = tables.Column(verbose_name=_("Arrival no."))
    symbol = tables.Column(linkify=True, verbose_name=_("Number and symbol"))
    issued_date = tables.DateColumn(format="SHORT_DATE_FORMAT")
    issuer_name = tables.Column(verbose_name=_("Issuing body"))
    excerpt = tables.Column(linkify=True)
    urgency = tables.Column()
    status = tables.Column()
    signature_status = tables.Column(verbose_name=_("Signed"), orderable=False)
    due_date = tables.DateColumn(format="SHORT_DATE_FORMAT")

    class Meta:
        model = Document
        fields = [
            "arrival_number",
            "symbol",
            "issued_date",
            "issuer_name",
            "excerpt",
            "urgency",
            "status",
            "signature_status",
            "due_date",
        ]
        attrs = {"class": "table table-sm table-hover align-middle"}
        row_attrs = {
            "class": lambda record: (
                "table-danger"
                if record.is_overdue
                else ("table-warning" if record.is_urgent else "")
            )
        }

    def render_signature_status(self, value):
        icons = {
            "valid": ("bi-patch-check-fill text-success", _("Signatures valid")),
            "untrusted": ("bi-patch-question-fill text-warning", _("Untrusted signer")),
            "invalid": ("bi-patch-exclamation-fill text-danger", _("Signature broken")),
        }
        if value not in icons:
            return "—"
        icon, label = icons[value]
        return format_html('<i class="bi {}" title="{}"></i>', icon, label)

    def render_symbol(self, value, record):
        return value or "—"

    def render_excerpt(self, value, record):
        mark = ""
        if record.secrecy:
            mark = format_html(
                '<span class="badge text-bg-danger me-1">{}</span>',
                record.get_secrecy_display(),
            )
        return format_html("{}{}", mark, value[:160])


class CaseFileTable(tables.Table):
    code = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    year = tables.Column()
    organization = tables.Column()
    retention_years = tables.Column()
    closed_on = tables.DateColumn(format="SHORT_DATE_FORMAT")
    archive_due = tables.DateColumn(format="SHORT_DATE_FORMAT")

    class Meta:
        model = CaseFile
        fields = [
            "code",
            "title",
            "year",
            "organization",
            "retention_years",
            "closed_on",
            "archive_due",
        ]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_retention_years(self, value):
        return value or _("Permanent")

"""Tables of the scan intake and the review queue."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hoso.digitization.models import IntakeRecord, ScanBatch


class ScanBatchTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name="#")
    name = tables.Column(linkify=True, verbose_name=_("Batch"))
    organization = tables.Column()
    source = tables.Column()
    status = tables.Column()
    item_count = tables.Column(verbose_name=_("Files"))
    page_count = tables.Column(verbose_name=_("Pages"))
    progress = tables.Column(
        verbose_name=_("Progress"), empty_values=(), orderable=False
    )
    created = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = ScanBatch
        fields = [
            "id",
            "name",
            "organization",
            "source",
            "status",
            "item_count",
            "page_count",
            "progress",
            "created",
        ]
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = "-created"

    def render_name(self, value, record):
        return value or str(record)

    def render_item_count(self, value, record):
        if record.failed_count:
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>',
                value,
                record.failed_count,
            )
        return value

    def render_progress(self, record):
        return format_html(
            '<progress class="hoso-progress" value="{}" max="{}" title="{}%">'
            "</progress>",
            record.pages_done,
            record.page_count or 1,
            record.percent,
        )


class IntakeRecordTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name="#")
    file = tables.Column(
        accessor="item__original_name", linkify=True, verbose_name=_("File")
    )
    symbol = tables.Column(
        accessor="proposed__symbol",
        verbose_name=_("Number and symbol"),
        orderable=False,
    )
    excerpt = tables.Column(
        accessor="proposed__excerpt", verbose_name=_("Excerpt"), orderable=False
    )
    organization = tables.Column()
    status = tables.Column()
    created = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")

    class Meta:
        model = IntakeRecord
        fields = [
            "id",
            "file",
            "symbol",
            "excerpt",
            "organization",
            "status",
            "created",
        ]
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = "-created"

    def render_excerpt(self, value, record):
        mark = ""
        if record.secrecy:
            mark = format_html(
                '<span class="badge text-bg-danger me-1">{}</span>',
                record.get_secrecy_display(),
            )
        return format_html("{}{}", mark, (value or "")[:160])

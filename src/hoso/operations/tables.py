"""Tables of the operations centre."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hoso.operations.models import Task


class TaskTable(tables.Table):
    title = tables.Column(linkify=True)
    organization = tables.Column(verbose_name=_("Organization"))
    lead = tables.Column(verbose_name=_("Lead"))
    deadline = tables.DateColumn(format="SHORT_DATE_FORMAT")
    status = tables.Column()
    progress = tables.Column(verbose_name=_("%"))

    class Meta:
        model = Task
        fields = ["title", "organization", "lead", "deadline", "status", "progress"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        row_attrs = {
            "class": lambda record: "table-danger" if record.is_overdue else "",
            "data-test": lambda record: f"task-{record.pk}",
        }

"""Meeting tables."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hoso.meetings.models import Meeting


class MeetingTable(tables.Table):
    starts_at = tables.DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Starts at"))
    title = tables.Column(linkify=True)
    organization = tables.Column()
    kind = tables.Column()
    status = tables.Column()
    location = tables.Column()

    class Meta:
        model = Meeting
        fields = ["starts_at", "title", "organization", "kind", "status", "location"]
        attrs = {"class": "table table-sm table-hover align-middle"}

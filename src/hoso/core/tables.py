"""Tables for core models."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hoso.core.models import AuditEntry


class AuditEntryTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name="#")
    timestamp = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")
    actor_name = tables.Column(verbose_name=_("Actor"))
    action = tables.Column(
        verbose_name=_("Action"), accessor="action_label", order_by="action"
    )
    object_repr = tables.Column(verbose_name=_("Object"))
    client_ip = tables.Column()

    class Meta:
        model = AuditEntry
        fields = ["id", "timestamp", "actor_name", "action", "object_repr", "client_ip"]
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = "-id"

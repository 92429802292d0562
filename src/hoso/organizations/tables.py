"""Organization tables."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hoso.organizations.models import Organization


class OrganizationTable(tables.Table):
    name = tables.Column(linkify=True)
    code = tables.Column()
    abbreviation = tables.Column(verbose_name=_("Abbr."))
    level = tables.Column()
    kind = tables.Column()
    parent = tables.Column(linkify=True)
    valid_to = tables.DateColumn(format="SHORT_DATE_FORMAT")

    class Meta:
        model = Organization
        fields = ["name", "code", "abbreviation", "level", "kind", "parent", "valid_to"]
        attrs = {"class": "table table-sm table-hover align-middle"}

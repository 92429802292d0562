"""Member tables."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hoso.members.models import Member


class MemberTable(tables.Table):
    full_name = tables.Column(linkify=True)
    date_of_birth = tables.DateColumn(format="SHORT_DATE_FORMAT")
    organization = tables.Column(verbose_name=_("Cell"))
    status = tables.Column()
    admission_date = tables.DateColumn(format="SHORT_DATE_FORMAT")
    card_number = tables.Column()

    class Meta:
        model = Member
        fields = [
            "full_name",
            "date_of_birth",
            "organization",
            "status",
            "admission_date",
            "card_number",
        ]
        attrs = {"class": "table table-sm table-hover align-middle"}

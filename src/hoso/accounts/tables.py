"""People tables."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from hoso.accounts.models import Person


class PersonTable(tables.Table):
    full_name = tables.Column(linkify=True)
    username = tables.Column(accessor="user__username", verbose_name=_("Username"))
    email = tables.Column()
    phone = tables.Column()
    clearance = tables.Column()

    class Meta:
        model = Person
        fields = ["full_name", "username", "email", "phone", "clearance"]
        attrs = {"class": "table table-sm table-hover align-middle"}

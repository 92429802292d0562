from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandbookConfig(AppConfig):
    """The member handbook (sổ tay đảng viên điện tử): a phone-first,
    installable portal for every member (issue 7, SPEC E3)."""

    name = "hoso.handbook"
    label = "handbook"
    verbose_name = _("Member handbook")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    """Cleaning an organization's archive for handover: duplicates,
    completeness, and BagIt handover packages (issue 8, C3–C4)."""

    name = "hoso.archive"
    label = "archive"
    verbose_name = _("Archive")

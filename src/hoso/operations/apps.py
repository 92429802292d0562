from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """The operations centre: tasks, indicators, the dashboard, reports."""

    name = "hoso.operations"
    label = "operations"
    verbose_name = _("Operations centre")

    def ready(self) -> None:
        from hoso.core import waiting
        from hoso.operations import services, signals  # noqa: F401

        waiting.register(services.waiting_items)

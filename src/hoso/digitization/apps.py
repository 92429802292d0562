from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitizationConfig(AppConfig):
    name = "hoso.digitization"
    label = "digitization"
    verbose_name = _("Digitization")

    def ready(self) -> None:
        from hoso.core import waiting
        from hoso.digitization import services

        # The home page shows the scans waiting for the clerk's review.
        waiting.register(services.waiting_items)

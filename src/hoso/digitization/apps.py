from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigitizationConfig(AppConfig):
    name = "hoso.digitization"
    label = "digitization"
    verbose_name = _("Digitization")

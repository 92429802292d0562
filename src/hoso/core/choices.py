"""Choices shared by every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Secrecy(models.IntegerChoices):
    """Security classification of material, and the clearance a person holds.

    The scale is ordered: a person may see material whose secrecy is at most
    their clearance.
    """

    NONE = 0, _("Unclassified")
    SECRET = 1, _("Secret (Mật)")
    TOP_SECRET = 2, _("Top secret (Tối mật)")
    ABSOLUTE_SECRET = 3, _("Absolute secret (Tuyệt mật)")

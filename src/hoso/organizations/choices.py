"""Levels and kinds of organizations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Administrative level; since 1 July 2025 there is no district level."""

    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune / ward")
    GRASSROOTS = "grassroots", _("Grassroots")
    CELL = "cell", _("Cell")


LEVEL_ORDER = {level: index for index, level in enumerate(Level.values)}


class Kind(models.TextChoices):
    """What the organization is."""

    COMMITTEE = "committee", _("Party committee")
    AGENCY = "agency", _("Advisory agency")
    GRASSROOTS = "grassroots", _("Grassroots organization")
    CELL = "cell", _("Cell")


class DocumentStyle(models.TextChoices):
    """How an organization numbers its documents: Party rules (per type per
    committee term) or state rules (per year)."""

    PARTY = "party", _("Party (per type, per committee term)")
    STATE = "state", _("State (per year)")

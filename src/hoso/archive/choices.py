"""Choices of the archive app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DuplicateKind(models.TextChoices):
    """How two documents were found to be the same."""

    EXACT = "exact", _("Exact duplicate (same file)")
    NEAR = "near", _("Near duplicate (similar text)")


class Decision(models.TextChoices):
    """What a clerk decided about a duplicate flag.

    keep: both documents stay as they are (a deliberate second copy);
    merge: the newer document is linked to the older one as its duplicate;
    ignore: not a duplicate after all (a false alarm).
    """

    PENDING = "pending", _("Awaiting decision")
    KEEP = "keep", _("Keep both")
    MERGE = "merge", _("Merge into the older document")
    IGNORE = "ignore", _("Not a duplicate")


class PackageDirection(models.TextChoices):
    """Whether a handover package left or entered this system."""

    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")

"""Choices of the digitization app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    """Where a scan batch stands, derived from its items."""

    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Done with errors")


class ItemStatus(models.TextChoices):
    """One scanned file on its way through OCR."""

    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BatchSource(models.TextChoices):
    """How the files came in."""

    UPLOAD = "upload", _("Upload")
    API = "api", _("API")
    WATCH = "watch", _("Watched folder")


class TextMethod(models.TextChoices):
    """Where an item's text came from."""

    OCR = "ocr", _("OCR")
    EMBEDDED = "embedded", _("Text already in the PDF")


class RecordStatus(models.TextChoices):
    """A review queue entry: waiting for the clerk, or decided."""

    PENDING = "pending", _("Waiting for review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")

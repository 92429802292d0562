"""Choices of the handbook."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LibraryCategory(models.TextChoices):
    RESOLUTION = "resolution", _("Resolution")
    DIRECTIVE = "directive", _("Directive")
    GUIDANCE = "guidance", _("Guidance")
    OTHER = "other", _("Other")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a reply")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")

"""Choices of the documents office."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Which register a document is in."""

    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")
    INTERNAL = "internal", _("Internal")


class Urgency(models.IntegerChoices):
    """Urgency marks; the values are edXML's Priority codes."""

    NORMAL = 0, _("Normal")
    URGENT = 1, _("Urgent (Khẩn)")
    VERY_URGENT = 2, _("Very urgent (Thượng khẩn)")
    FLASH = 3, _("Flash (Hỏa tốc)")
    FLASH_TIMED = 4, _("Flash, timed (Hỏa tốc hẹn giờ)")


class Status(models.TextChoices):
    """One state machine per direction (see models/document.py)."""

    # Incoming
    RECEIVED = "received", _("Received, not registered")
    REGISTERED = "registered", _("Registered")
    PRESENTED = "presented", _("Presented to the leader")
    INSTRUCTED = "instructed", _("Instructed")
    PROCESSING = "processing", _("Being processed")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn by the sender")
    # Outgoing and internal
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Collecting opinions")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    RECALLED = "recalled", _("Recalled")


class AssignmentRole(models.TextChoices):
    """The leader's instruction: who leads, who coordinates, who is informed."""

    LEAD = "lead", _("Lead")
    COORDINATE = "coordinate", _("Coordinate")
    INFORM = "inform", _("For information")


class RecipientStatus(models.TextChoices):
    """A recipient's status as seen by the sender; the values are edXML's
    status codes."""

    ARRIVED = "01", _("Arrived")
    REFUSED = "02", _("Refused")
    ACCEPTED = "03", _("Accepted")
    ASSIGNED = "04", _("Assigned")
    PROCESSING = "05", _("Processing")
    COMPLETED = "06", _("Completed")
    RECALLED = "15", _("Recalled")


class TypeSystem(models.TextChoices):
    PARTY = "party", _("Party")
    STATE = "state", _("State")


class SignatureStatus(models.TextChoices):
    """What verifying a PDF's digital signatures found."""

    NOT_CHECKED = "", _("Not checked")
    UNSIGNED = "unsigned", _("Not signed")
    VALID = "valid", _("Signatures valid")
    UNTRUSTED = "untrusted", _("Signed by an untrusted certificate")
    INVALID = "invalid", _("Signature broken: the file was changed")

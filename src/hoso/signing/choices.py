"""Choices of the digital signature keys."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    """What a certificate is for."""

    CA = "ca", _("Internal certificate authority")
    PERSON = "person", _("Personal signing certificate")
    ORGANIZATION = "organization", _("Organization seal certificate")
    EXTERNAL_ROOT = "external_root", _("External trust root")


class SignatureStatus(models.TextChoices):
    """The verdict over all signatures of one file (see
    `services.overall_status`); the values match the documents app's
    attachment signature status."""

    UNSIGNED = "unsigned", _("Not signed")
    VALID = "valid", _("Signatures valid")
    UNTRUSTED = "untrusted", _("Signed by an untrusted certificate")
    INVALID = "invalid", _("Signature broken: the file was changed")

"""Handover packages (BagIt bags) that left or entered the system."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.archive.choices import PackageDirection
from hoso.core.models import BaseModel


class HandoverPackage(BaseModel):
    """One BagIt package exported from or imported into an organization.

    The bag itself is not kept (an export is downloaded, an import becomes
    documents); this row is the register of handovers: which documents, what
    the bag said about itself, and who did it. An imported bag's audit excerpt
    is kept as a stored file, so the receiving side keeps the sender's trail.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=PackageDirection.choices
    )
    external_identifier = models.CharField(_("package identifier"), max_length=100)
    source_organization = models.CharField(
        _("source organization"), max_length=255, blank=True
    )
    payload_oxum = models.CharField(_("Payload-Oxum"), max_length=64, blank=True)
    bag_info = models.JSONField(_("bag information"), default=dict, blank=True)
    skipped = models.JSONField(
        _("documents left out"),
        default=list,
        blank=True,
        help_text=_("Documents not exported, with the reason (e.g. classified)."),
    )
    documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("documents"),
        blank=True,
        related_name="handover_packages",
    )
    audit_file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("audit excerpt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "organization__path"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("handover package")
        verbose_name_plural = _("handover packages")
        indexes = [models.Index(fields=["organization", "external_identifier"])]

    def __str__(self) -> str:
        return self.external_identifier

    def get_absolute_url(self) -> str:
        return reverse("archive:package", args=[self.pk])

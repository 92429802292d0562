"""The organization tree."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.organizations.choices import LEVEL_ORDER, DocumentStyle, Kind, Level
from hoso.organizations.querysets import OrganizationQuerySet


class Organization(BaseModel):
    """A node of the tree: central, province, commune/ward, grassroots, cell.

    `path` is the materialized path of primary keys (`/1/7/42/`), maintained by
    the services, so "everything under X" is one indexed prefix filter.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    abbreviation = models.CharField(
        _("symbol abbreviation"),
        max_length=32,
        blank=True,
        help_text=_("Used in document symbols, e.g. TW, TU, ĐU, CB."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    document_style = models.CharField(
        _("document numbering"),
        max_length=8,
        choices=DocumentStyle.choices,
        default=DocumentStyle.PARTY,
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    scope_path_field = "path"
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [models.Index(fields=["parent", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:organization", args=[self.pk])

    def clean(self) -> None:
        """One-row invariants: dates in order, levels deepen down the tree."""
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {"valid_to": _("The end of validity is before its start.")}
            )
        # An organization ended by a restructuring is kept under its successor
        # as history (see organizations.restructuring): the level rules are
        # about the living tree, so they do not apply to it.
        kept_as_history = (
            self.valid_to is not None
            and self.successor_id is not None
            and self.successor_id == self.parent_id
        )
        if self.parent_id is not None and self.level and not kept_as_history:
            parent = self.parent
            if LEVEL_ORDER[self.level] < LEVEL_ORDER[parent.level]:
                raise ValidationError(
                    {
                        "level": _(
                            "An organization cannot be at a higher level than "
                            "its parent (%(parent)s)."
                        )
                        % {"parent": parent.get_level_display()}
                    }
                )
            if parent.level == Level.CELL:
                raise ValidationError({"parent": _("A cell cannot have children.")})
        if (
            self.parent_id is not None
            and self.pk
            and self.parent.path.startswith(self.path or "\0")
        ):
            raise ValidationError(
                {"parent": _("An organization cannot be moved under itself.")}
            )
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError(
                {"successor": _("An organization cannot succeed itself.")}
            )

    @property
    def is_current(self) -> bool:
        """Valid today."""
        today = timezone.localdate()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )

    @property
    def has_ended(self) -> bool:
        """Ended by a restructuring or at the end of its validity."""
        return self.successor_id is not None or (
            self.valid_to is not None and self.valid_to < timezone.localdate()
        )

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def ancestors(self) -> OrganizationQuerySet:
        """The chain from the root down to the parent, root first."""
        return Organization.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def descendants(self, include_self: bool = False) -> OrganizationQuerySet:
        """Everything below this organization, as one prefix filter."""
        qs = Organization.objects.subtree(self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

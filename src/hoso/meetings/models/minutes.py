"""Minutes of a meeting and the conclusions that become tasks."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.meetings.choices import ConclusionStatus, MinutesStatus


class Minutes(BaseModel):
    """The minutes (biên bản): generated in one action from the agenda,
    attendance, votes and notes; edited; approved; signed as a PDF."""

    meeting = models.OneToOneField(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="minutes",
    )
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MinutesStatus.choices,
        default=MinutesStatus.DRAFT,
    )
    approved_by = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_file = models.ForeignKey(
        "documents.StoredFile",
        verbose_name=_("signed PDF"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "meeting__organization__path"

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes", args=[self.meeting_id])


class Conclusion(BaseModel):
    """A conclusion of the meeting with the "six clears" of a task: lead,
    work, deadline, coordinators, product and accepting authority. Becomes a
    task when the operations app is installed (`task_id`)."""

    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="conclusions",
    )
    item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conclusions",
    )
    title = models.CharField(_("work (clear work)"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("lead (clear person)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline (clear time)"))
    coordinators = models.ManyToManyField(
        "accounts.Person",
        verbose_name=_("coordinators (clear responsibility)"),
        blank=True,
        related_name="+",
    )
    product = models.CharField(_("expected product (clear product)"), max_length=255)
    authority = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("accepted by (clear authority)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConclusionStatus.choices,
        default=ConclusionStatus.RECORDED,
    )
    task_id = models.PositiveIntegerField(_("task"), null=True, blank=True)

    scope_path_field = "meeting__organization__path"

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")

    def __str__(self) -> str:
        return self.title

"""The search outbox: index updates owed, written with the change itself."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IndexOutbox(models.Model):
    """A document whose index entry must be refreshed.

    Rows are written in the same transaction as the change (by the signal
    receivers in `hoso.search.signals`), so a committed change always leaves
    a row and a rolled-back one never does. The processor reads the
    document's current state when it handles the row and deletes the row only
    after the index commit: a crash in between re-indexes, never loses.
    """

    class Op(models.TextChoices):
        UPSERT = "upsert", _("Add or update")
        DELETE = "delete", _("Remove")

    id = models.BigAutoField(primary_key=True)
    # No foreign key: a deleted document still needs its row.
    document_id = models.BigIntegerField(_("document"))
    op = models.CharField(_("operation"), max_length=6, choices=Op.choices)
    created = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("search index update")
        verbose_name_plural = _("search index updates")

    def __str__(self) -> str:
        return f"{self.op} {self.document_id}"

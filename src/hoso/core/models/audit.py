"""The audit trail: append-only, hash-chained, keyed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core.querysets import RestrictedQuerySet

# Human-readable names of audited actions; unknown actions show their code.
ACTION_LABELS = {
    "auth.login": _("Signed in"),
    "auth.logout": _("Signed out"),
    "auth.login_failed": _("Failed sign-in"),
    "auth.totp_enrolled": _("Two-step sign-in turned on"),
    "organizations.created": _("Organization created"),
    "organizations.updated": _("Organization changed"),
    "organizations.merged": _("Organization merged into its successor"),
    "organizations.dissolved": _("Organization dissolved"),
    "organizations.split": _("Organization split"),
    "members.restructured": _("Member handed over in a restructuring"),
    "members.transfer_handed_over": _("Transfer redirected in a restructuring"),
    "operations.task_handed_over": _("Task handed over in a restructuring"),
    "documents.handed_over": _("Document handed over in a restructuring"),
    "documents.casefile_handed_over": _("Case file handed over in a restructuring"),
    "accounts.person_created": _("Person created"),
    "accounts.person_updated": _("Person changed"),
    "accounts.position_assigned": _("Position assigned"),
    "accounts.position_ended": _("Position ended"),
    "accounts.token_created": _("API token created"),
    "accounts.token_revoked": _("API token revoked"),
    "admin.added": _("Added in administration"),
    "admin.changed": _("Changed in administration"),
    "admin.deleted": _("Deleted in administration"),
    "demo.loaded": _("Demo data loaded"),
    "documents.received": _("Document received"),
    "documents.registered": _("Document registered"),
    "documents.presented": _("Document presented"),
    "documents.instructed": _("Instruction given"),
    "documents.processing": _("Processing started"),
    "documents.completed": _("Document completed"),
    "documents.returned": _("Document returned"),
    "documents.refused": _("Document refused"),
    "documents.withdrawn": _("Document withdrawn"),
    "documents.drafted": _("Draft created"),
    "documents.draft_saved": _("Draft version saved"),
    "documents.opinions_requested": _("Opinions requested"),
    "documents.opinion_given": _("Opinion given"),
    "documents.approved": _("Draft approved"),
    "documents.sent_back": _("Draft sent back"),
    "documents.signed": _("Document signed"),
    "documents.sign_reauth_failed": _("Signing refused: wrong password or code"),
    "documents.signed_file_stored": _("Signed file stored"),
    "signing.signed": _("PDF signed"),
    "archive.duplicates_flagged": _("Duplicates flagged"),
    "archive.dedup_scanned": _("Archive scanned for duplicates"),
    "archive.duplicate_decided": _("Duplicate decision"),
    "archive.merged": _("Duplicates merged"),
    "archive.exported": _("Handover package exported"),
    "archive.imported": _("Handover package imported"),
    "documents.issued": _("Document issued"),
    "documents.recalled": _("Document recalled"),
    "documents.delivered": _("Document delivered"),
    "documents.file_attached": _("File attached"),
    "documents.viewed": _("Classified document viewed"),
    "documents.downloaded": _("Classified file downloaded"),
    "documents.number_reserved": _("Number reserved"),
    "documents.register_exported": _("Register exported"),
    "documents.casefile_created": _("Case file opened"),
    "documents.casefile_filed": _("Documents filed"),
    "documents.casefile_closed": _("Case file closed"),
    "documents.casefile_transferred": _("Case file transferred to the archive"),
}


class AuditEntry(models.Model):
    """One audited event: who did what to which object, where and when.

    The primary key is the entry's position in the chain and is assigned by
    `hoso.core.audit.record` under a lock, never by the database sequence.
    `hash` is HMAC-SHA256 over the entry's fields and `prev_hash`, keyed with
    `settings.AUDIT_KEY`, which is held outside the database. Database
    triggers refuse UPDATE and DELETE of these rows. References to users and
    organizations carry no foreign-key constraint, so that deleting either can
    never cascade into (or be blocked by) the log.
    """

    id = models.BigIntegerField(primary_key=True)
    timestamp = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    org_path = models.CharField(_("organization path"), max_length=255, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["org_path", "id"])]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_repr}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:auditentry", args=[self.pk])

    @property
    def action_label(self) -> str:
        """The action in the reader's language."""
        return str(ACTION_LABELS.get(self.action, self.action))

    @classmethod
    def scope_q(cls, paths: list[str], *, user, action: str) -> Q:
        """Entries about organizations in scope, plus the user's own actions."""
        q = Q(actor_id=user.pk)
        for path in paths:
            q |= Q(org_path__startswith=path)
        return q


class AuditAlert(models.Model):
    """A finding of the scheduled chain verification (a broken chain)."""

    created = models.DateTimeField(_("time"), auto_now_add=True)
    entry_id = models.BigIntegerField(_("first bad entry"), null=True, blank=True)
    message = models.TextField(_("message"))
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("audit alert")
        verbose_name_plural = _("audit alerts")

    def __str__(self) -> str:
        return self.message

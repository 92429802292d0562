"""Documents, their files, the processing trail and dispatch recipients."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoso.core import lookups  # noqa: F401 - registers path_prefix
from hoso.core.choices import Secrecy
from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.documents.choices import (
    AssignmentRole,
    Direction,
    RecipientStatus,
    SignatureStatus,
    Status,
    Urgency,
)

# Allowed transitions of the two state machines: from-status → to-statuses.
INCOMING_TRANSITIONS = {
    Status.RECEIVED: {Status.REGISTERED, Status.REFUSED, Status.WITHDRAWN},
    Status.REGISTERED: {
        Status.PRESENTED,
        Status.INSTRUCTED,
        Status.COMPLETED,
        Status.WITHDRAWN,
    },
    Status.PRESENTED: {Status.INSTRUCTED, Status.REGISTERED, Status.WITHDRAWN},
    Status.INSTRUCTED: {
        Status.PROCESSING,
        Status.COMPLETED,
        Status.REGISTERED,
        Status.WITHDRAWN,
    },
    Status.PROCESSING: {Status.COMPLETED, Status.REGISTERED, Status.WITHDRAWN},
    Status.COMPLETED: set(),
    Status.REFUSED: set(),
    Status.WITHDRAWN: set(),
}
OUTGOING_TRANSITIONS = {
    Status.DRAFT: {Status.IN_REVIEW, Status.APPROVED},
    Status.IN_REVIEW: {Status.DRAFT, Status.APPROVED},
    Status.APPROVED: {Status.DRAFT, Status.ISSUED},
    Status.ISSUED: {Status.RECALLED},
    Status.RECALLED: set(),
}
OPEN_INCOMING = [
    Status.RECEIVED,
    Status.REGISTERED,
    Status.PRESENTED,
    Status.INSTRUCTED,
    Status.PROCESSING,
]

# Outgoing and internal documents not yet issued: still being drafted.
OPEN_DRAFTING = [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED]


class DocumentQuerySet(RestrictedQuerySet):
    """Documents with register and workflow scopes."""

    def incoming(self) -> DocumentQuerySet:
        return self.filter(direction=Direction.INCOMING)

    def outgoing(self) -> DocumentQuerySet:
        return self.filter(direction=Direction.OUTGOING)

    def open(self) -> DocumentQuerySet:
        """Incoming documents still being handled."""
        return self.filter(direction=Direction.INCOMING, status__in=OPEN_INCOMING)

    def in_hand(self) -> DocumentQuerySet:
        """Documents still being handled by their organization: incoming not
        completed, refused or withdrawn, and drafts not issued. Issued and
        closed documents are history (a restructuring leaves them where
        they are)."""
        return self.filter(
            Q(direction=Direction.INCOMING, status__in=OPEN_INCOMING)
            | Q(
                direction__in=[Direction.OUTGOING, Direction.INTERNAL],
                status__in=OPEN_DRAFTING,
            )
        )

    def with_signature_status(self) -> DocumentQuerySet:
        """Annotate `signature_status`: the main file's verification result
        (for lists; one indexed subquery per shown row)."""
        main = Attachment.objects.filter(document=models.OuterRef("pk"), is_main=True)
        return self.annotate(
            signature_status=models.Subquery(main.values("signature_status")[:1])
        )

    def overdue(self, today=None) -> DocumentQuerySet:
        """Open incoming documents whose deadline has passed."""
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)


class Document(BaseModel):
    """A document in one organization's register: incoming, outgoing or internal.

    `org_path` copies the organization's path so the permission filter is a
    prefix match on this table alone (no join), which keeps lists fast at
    millions of rows; services keep it in step when the tree is restructured.
    The `secrecy` field makes `restrict()` hide documents above the user's
    clearance.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    org_path = models.CharField(max_length=255, editable=False)
    direction = models.CharField(_("register"), max_length=8, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    doc_type = models.ForeignKey(
        "documents.DocumentType",
        verbose_name=_("document type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    symbol = models.CharField(_("number and symbol"), max_length=64, blank=True)
    numbering_scope = models.CharField(max_length=100, blank=True, editable=False)
    issuer_name = models.CharField(_("issuing body"), max_length=255, blank=True)
    issuer = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("issuing organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    issued_date = models.DateField(_("date of the document"), null=True, blank=True)
    excerpt = models.TextField(_("excerpt"), max_length=1000)
    body = models.TextField(_("body"), blank=True)
    signer_name = models.CharField(_("signer"), max_length=150, blank=True)
    signer_position = models.CharField(
        _("signer's position"), max_length=150, blank=True
    )
    signer_authority = models.CharField(
        _("signing authority"),
        max_length=8,
        blank=True,
        help_text=_("T/M, K/T, T/L, Q. or empty."),
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    secrecy = models.PositiveSmallIntegerField(
        _("secrecy"), choices=Secrecy.choices, default=Secrecy.NONE
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    copies = models.PositiveIntegerField(_("copies"), null=True, blank=True)
    recipients_text = models.TextField(_("recipients (Nơi nhận)"), blank=True)
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="vi")
    arrival_number = models.PositiveIntegerField(
        _("arrival number"), null=True, blank=True
    )
    arrival_date = models.DateTimeField(_("arrival time"), null=True, blank=True)
    register_year = models.PositiveSmallIntegerField(_("register year"))
    presented_to = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("presented to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replies",
    )
    source_recipient = models.OneToOneField(
        "documents.Recipient",
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delivered_copy",
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "org_path"
    # Byte-wise ranges on PostgreSQL: the list API counts up to 10,001 rows
    # per request, and a range is checked in the index, a LIKE on every row.
    scope_path_lookup = "path_prefix"
    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["org_path", "direction", "-created"]),
            models.Index(fields=["organization", "direction", "status"]),
            models.Index(fields=["symbol"]),
            models.Index(fields=["due_date"]),
            models.Index(fields=["issued_date"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "register_year", "arrival_number"],
                condition=Q(arrival_number__isnull=False),
                name="document_arrival_number_unique",
            ),
            models.UniqueConstraint(
                fields=["organization", "numbering_scope", "number"],
                condition=Q(number__isnull=False) & ~Q(numbering_scope=""),
                name="document_number_unique",
            ),
        ]

    def __str__(self) -> str:
        label = self.symbol or (
            f"#{self.arrival_number}" if self.arrival_number else _("(unnumbered)")
        )
        return f"{label} — {self.excerpt[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("documents:document", args=[self.pk])

    @property
    def transitions(self) -> dict:
        if self.direction == Direction.INCOMING:
            return INCOMING_TRANSITIONS
        return OUTGOING_TRANSITIONS

    def can_move_to(self, status: str) -> bool:
        """Whether the state machine allows going from the current status."""
        return status in self.transitions.get(self.status, set())

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status in OPEN_INCOMING
            and self.due_date < timezone.localdate()
        )

    @property
    def is_urgent(self) -> bool:
        return self.urgency >= Urgency.URGENT

    @property
    def is_signed(self) -> bool:
        """The signer has signed it digitally (the signing step ran)."""
        return self.events.filter(action="signed").exists()


class Attachment(models.Model):
    """A file of a document (the main file or an appendix)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="attachments"
    )
    stored_file = models.ForeignKey(
        "documents.StoredFile", on_delete=models.PROTECT, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=255)
    is_main = models.BooleanField(_("main file"), default=False)
    signature_status = models.CharField(
        _("signatures"),
        max_length=10,
        choices=SignatureStatus.choices,
        default=SignatureStatus.NOT_CHECKED,
        blank=True,
    )
    signature_report = models.JSONField(_("signature report"), default=list, blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("The file's text (embedded or from OCR), for search."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_main", "created"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


# Timeline wording of the workflow steps.
EVENT_LABELS = {
    "received": _("Received"),
    "registered": _("Registered"),
    "presented": _("Presented to the leader"),
    "instructed": _("Instruction given"),
    "processing": _("Processing started"),
    "completed": _("Completed"),
    "returned": _("Returned"),
    "refused": _("Refused"),
    "withdrawn": _("Withdrawn by the sender"),
    "drafted": _("Draft created"),
    "draft_saved": _("New version saved"),
    "opinions_requested": _("Opinions requested"),
    "opinion_given": _("Opinion given"),
    "approved": _("Approved"),
    "sent_back": _("Sent back for changes"),
    "signed": _("Signed digitally"),
    "issued": _("Issued"),
    "recalled": _("Recalled"),
    "handed_over": _("Handed over in a restructuring"),
    "archive_merged": _("Merged with a duplicate"),
    "archive_duplicate": _("Flagged as a duplicate"),
    "archive_imported": _("Imported from a handover package"),
}


class DocumentEvent(models.Model):
    """One step on a document's timeline (the audit log holds the full trail;
    this is the readable history shown on the document page)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class Assignment(models.Model):
    """Part of a leader's instruction: a person or an organization that leads,
    coordinates or is informed, with a deadline."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="assignments"
    )
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    person = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_assignments",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["document", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(organization__isnull=False),
                name="assignment_has_assignee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person or self.organization}"


class DraftVersion(models.Model):
    """A saved version of an outgoing draft (never rewritten)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    excerpt = models.TextField(max_length=1000)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "version"], name="draft_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Opinion(models.Model):
    """An opinion given on a draft (góp ý)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="opinions"
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.person}: {self.text[:40]}"


class Recipient(models.Model):
    """An organization an issued document was dispatched to, with the status
    that flows back from the receiver (edXML status codes)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="dispatches"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=2,
        choices=RecipientStatus.choices,
        default=RecipientStatus.ARRIVED,
    )
    reason = models.TextField(_("reason"), blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "organization"], name="recipient_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_status_display()}"

"""The handbook's records: the members' library, bookmarks, study sessions
and feedback to the committee."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hoso.core.models import BaseModel
from hoso.core.querysets import RestrictedQuerySet
from hoso.handbook.choices import FeedbackStatus, LibraryCategory


def ancestor_paths(path: str) -> list[str]:
    """Every path from the root down to `path` (`/1/7/42/` → `/1/`,
    `/1/7/`, `/1/7/42/`)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def member_paths(user) -> list[str]:
    """The organization paths of the user's current positions and all their
    ancestors: what a member's library and feedback reach."""
    from hoso.accounts.models import Position

    paths: set[str] = set()
    for path in (
        Position.objects.current()
        .filter(person__user=user)
        .values_list("organization__path", flat=True)
    ):
        paths.update(ancestor_paths(path))
    return sorted(paths)


class MemberReachQuerySet(RestrictedQuerySet):
    """Rows published by one of the member's organizations or their
    ancestors (a province's resolution reaches every cell below it)."""

    def for_member(self, user) -> MemberReachQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(organization__path__in=member_paths(user))


class LibraryEntry(BaseModel):
    """A document published to the members of an organization's subtree:
    a resolution, directive or guidance in the handbook's library."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(
        _("category"), max_length=12, choices=LibraryCategory.choices
    )
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    published_by = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("publisher"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_path_field = "organization__path"
    objects = MemberReachQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("library entry")
        verbose_name_plural = _("library entries")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "document"], name="handbook_library_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("handbook:entry", args=[self.pk])


class Bookmark(models.Model):
    """A member keeps a library entry at hand."""

    person = models.ForeignKey(
        "accounts.Person", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        LibraryEntry, on_delete=models.CASCADE, related_name="bookmarks"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "entry"], name="handbook_bookmark_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.entry)


class StudySession(BaseModel):
    """A study session: members of the subtree read a resolution, confirm
    they did, and answer an optional short quiz."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entry = models.ForeignKey(
        LibraryEntry,
        verbose_name=_("resolution to read"),
        on_delete=models.PROTECT,
        related_name="study_sessions",
    )
    title = models.CharField(_("title"), max_length=255)
    instructions = models.TextField(_("instructions"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    scope_path_field = "organization__path"
    objects = MemberReachQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("handbook:study", args=[self.pk])


class StudyQuestion(models.Model):
    """One quiz question with its options and the right answer."""

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("question"), max_length=500)
    options = models.JSONField(_("options"), default=list)
    correct = models.PositiveSmallIntegerField(_("right answer (index)"))

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if not isinstance(self.options, list) or len(self.options) < 2:
            raise ValidationError({"options": _("A question needs two options.")})
        if self.correct >= len(self.options):
            raise ValidationError({"correct": _("The right answer is not an option.")})


class StudyAcknowledgement(models.Model):
    """A member confirms they studied the resolution (with their quiz score)."""

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    person = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)
    answers = models.JSONField(_("answers"), default=list, blank=True)
    score = models.PositiveSmallIntegerField(_("right answers"), default=0)

    class Meta:
        verbose_name = _("study acknowledgement")
        verbose_name_plural = _("study acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="handbook_ack_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.person}"


class FeedbackQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> FeedbackQuerySet:
        """The committee's scope for `action`, plus (for viewing) the
        user's own threads: a member needs no role permission to read what
        they wrote, and sees nobody else's."""
        committee = super().restrict(user, action)
        if action != "view" or user is None or not user.is_authenticated:
            return committee
        return committee | self.filter(author__user=user)

    def mine(self, user) -> FeedbackQuerySet:
        """The member's own threads."""
        return self.filter(author__user=user)


class Feedback(BaseModel):
    """A member writes to their committee; the committee replies."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        "accounts.Person",
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"), max_length=5000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.OPEN,
    )

    scope_path_field = "organization__path"
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-updated"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("handbook:feedback-detail", args=[self.pk])


class FeedbackReply(models.Model):
    """One message in a feedback thread."""

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        "accounts.Person", on_delete=models.PROTECT, related_name="+"
    )
    from_committee = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=5000)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["feedback", "created", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return self.body[:60]

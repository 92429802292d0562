"""Handbook services: publishing to the members' library, bookmarks,
study sessions, feedback with replies. Each checks the policy, runs in one
transaction and writes the audit entry."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.handbook.choices import FeedbackStatus, LibraryCategory
from hoso.handbook.models import (
    Bookmark,
    Feedback,
    FeedbackReply,
    LibraryEntry,
    StudyAcknowledgement,
    StudyQuestion,
    StudySession,
    member_paths,
)


def _person(user):
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied
    return person


def _notify(users, **kwargs) -> None:
    from hoso.notifications.services import notify

    users = [u for u in users if u is not None]
    transaction.on_commit(lambda: notify(users, **kwargs))


def member_record(user):
    """The member record behind the user, when the members app is there."""
    if not apps.is_installed("hoso.members"):
        return None
    from hoso.members.services import member_for_user

    return member_for_user(user)


def committee_users(organization, permission: str) -> list:
    """Users holding a current position in `organization` whose role grants
    `permission` (who answer the organization's feedback)."""
    from hoso.accounts.models import Position

    users = []
    for position in (
        Position.objects.current()
        .filter(organization=organization)
        .select_related("person__user", "role")
    ):
        if permissions.role_grants(position.role.permissions or [], permission):
            users.append(position.person.user)
    return users


# The library --------------------------------------------------------------------


@transaction.atomic
def publish_to_library(
    document,
    *,
    organization,
    category: str,
    acting_user,
    title: str = "",
    summary: str = "",
) -> LibraryEntry:
    """Publish a document to the members of `organization`'s subtree.

    Only unclassified documents the publisher may see go to the handbook:
    it is readable on phones and cached offline.
    """
    from hoso.documents.models import Document

    if not permissions.has_permission(
        acting_user, "handbook.add_libraryentry", organization
    ):
        raise PermissionDenied
    if (
        not Document.objects.restrict(acting_user, "view")
        .filter(pk=document.pk)
        .exists()
    ):
        raise ValidationError({"document": _("Choose a document you may see.")})
    if document.secrecy > 0:
        raise ValidationError(
            {"document": _("Classified documents cannot be published to the handbook.")}
        )
    if category not in LibraryCategory.values:
        raise ValidationError({"category": _("Choose a valid category.")})
    title = (title or f"{document.symbol} {document.excerpt}".strip())[:500]
    try:
        with transaction.atomic():
            entry = LibraryEntry.objects.create(
                organization=organization,
                document=document,
                category=category,
                title=title,
                summary=summary,
                published_by=_person(acting_user),
            )
    except IntegrityError:
        raise ValidationError(
            {"document": _("This document is already in the library.")}
        ) from None
    audit.record(
        "handbook.published",
        obj=entry,
        actor=acting_user,
        changes={"document": [None, document.pk], "category": [None, category]},
    )
    return entry


def library_for(user, *, query: str = "", category: str = "", bookmarked=False):
    """The member's library: entries published by their organizations or
    the organizations above them, newest first, with an accent-insensitive
    search over the title, summary, symbol and excerpt."""
    entries = LibraryEntry.objects.for_member(user).select_related(
        "document", "organization"
    )
    if category:
        entries = entries.filter(category=category)
    if bookmarked:
        entries = entries.filter(bookmarks__person__user=user)
    if not query.strip():
        return list(entries)
    from hoso.search.text import fold

    needle = fold(query.strip())
    return [
        e
        for e in entries
        if needle
        in fold(f"{e.title} {e.summary} {e.document.symbol} {e.document.excerpt}")
    ]


def entry_for(user, pk: int) -> LibraryEntry:
    """One entry of the member's library (DoesNotExist outside it)."""
    return LibraryEntry.objects.for_member(user).select_related("document").get(pk=pk)


@transaction.atomic
def toggle_bookmark(entry: LibraryEntry, *, acting_user) -> bool:
    """Bookmark an entry, or remove the bookmark; returns whether it is now
    bookmarked."""
    person = _person(acting_user)
    entry = entry_for(acting_user, entry.pk)
    deleted, _rows = Bookmark.objects.filter(person=person, entry=entry).delete()
    if deleted:
        return False
    Bookmark.objects.create(person=person, entry=entry)
    return True


def bookmarked_ids(user) -> set[int]:
    return set(
        Bookmark.objects.filter(person__user=user).values_list("entry_id", flat=True)
    )


# Study sessions ------------------------------------------------------------------


def parse_questions(text: str) -> list[dict]:
    """Quiz lines `Question? | option | *right option | option`: the right
    answer is marked with a star. Refuses malformed lines."""
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        question, options = parts[0], parts[1:]
        marked = [i for i, o in enumerate(options) if o.startswith("*")]
        if (
            not question
            or len(options) < 2
            or len(marked) != 1
            or not all(o.strip("*") for o in options)
        ):
            raise ValidationError(
                {
                    "questions": _(
                        "Line %(n)s: write the question, then at least two options "
                        "separated by |, with exactly one marked * as right."
                    )
                    % {"n": number}
                }
            )
        questions.append(
            {
                "text": question[:500],
                "options": [o.lstrip("*").strip() for o in options],
                "correct": marked[0],
            }
        )
    return questions


@transaction.atomic
def create_study_session(
    entry: LibraryEntry,
    *,
    organization,
    title: str,
    acting_user,
    instructions: str = "",
    due_date=None,
    questions: Sequence[dict] = (),
) -> StudySession:
    """A study session for the members of `organization`'s subtree on a
    library entry they can read; notifies them."""
    if not permissions.has_permission(
        acting_user, "handbook.add_studysession", organization
    ):
        raise PermissionDenied
    if not title.strip():
        raise ValidationError({"title": _("A study session needs a title.")})
    if not entry.organization.path.startswith(
        organization.path
    ) and not organization.path.startswith(entry.organization.path):
        raise ValidationError(
            {"entry": _("The members of this organization cannot read this entry.")}
        )
    session = StudySession.objects.create(
        organization=organization,
        entry=entry,
        title=title.strip(),
        instructions=instructions,
        due_date=due_date,
    )
    for position, question in enumerate(questions, start=1):
        row = StudyQuestion(session=session, position=position, **question)
        row.full_clean()
        row.save()
    audit.record(
        "handbook.study_created",
        obj=session,
        actor=acting_user,
        changes={"entry": [None, entry.pk], "questions": [None, len(questions)]},
    )
    from hoso.accounts.models import Person, Position

    holders = Position.objects.current().filter(
        organization__path__startswith=organization.path
    )
    members = Person.objects.filter(pk__in=holders.values("person_id")).select_related(
        "user"
    )
    _notify(
        [p.user for p in members],
        kind="study_session",
        title=_("Study: %(title)s") % {"title": session.title},
        url=session.get_absolute_url(),
    )
    return session


def studies_for(user):
    return StudySession.objects.for_member(user).select_related("entry")


@transaction.atomic
def acknowledge_study(
    session: StudySession, *, acting_user, answers: Sequence[int | None] = ()
) -> StudyAcknowledgement:
    """The member confirms they studied the resolution; the quiz, when the
    session has one, must be answered in full and is scored."""
    person = _person(acting_user)
    session = studies_for(acting_user).get(pk=session.pk)
    questions = list(session.questions.all())
    answers = list(answers)
    if questions and (
        len(answers) != len(questions)
        or any(
            a is None or not 0 <= a < len(q.options)
            for a, q in zip(answers, questions, strict=False)
        )
    ):
        raise ValidationError({"answers": _("Answer every question.")})
    score = sum(1 for a, q in zip(answers, questions, strict=False) if a == q.correct)
    try:
        with transaction.atomic():
            ack = StudyAcknowledgement.objects.create(
                session=session, person=person, answers=answers, score=score
            )
    except IntegrityError:
        raise ValidationError(
            {"answers": _("You have already confirmed this study.")}
        ) from None
    audit.record(
        "handbook.study_acknowledged",
        obj=session,
        actor=acting_user,
        changes={"score": [None, score], "questions": [None, len(questions)]},
    )
    return ack


# Feedback --------------------------------------------------------------------------


def feedback_committees(user):
    """The organizations a member may write to: theirs and those above."""
    from hoso.organizations.models import Organization

    return Organization.objects.filter(path__in=member_paths(user)).order_by("path")


@transaction.atomic
def submit_feedback(*, organization, subject: str, body: str, acting_user) -> Feedback:
    """A member writes to one of their committees."""
    person = _person(acting_user)
    if not feedback_committees(acting_user).filter(pk=organization.pk).exists():
        raise ValidationError(
            {"organization": _("Write to your own organization or one above it.")}
        )
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Give a subject.")
    if not body.strip():
        errors["body"] = _("Write your message.")
    if errors:
        raise ValidationError(errors)
    feedback = Feedback(
        organization=organization,
        author=person,
        subject=subject.strip()[:255],
        body=body.strip(),
    )
    feedback.full_clean()
    feedback.save()
    audit.record("handbook.feedback_submitted", obj=feedback, actor=acting_user)
    _notify(
        committee_users(organization, "handbook.change_feedback"),
        kind="feedback",
        title=_("Feedback from %(name)s: %(subject)s")
        % {"name": person, "subject": feedback.subject},
        url=feedback.get_absolute_url(),
    )
    return feedback


@transaction.atomic
def reply_feedback(feedback: Feedback, *, body: str, acting_user) -> FeedbackReply:
    """The committee (or the author) adds a message to the thread."""
    person = _person(acting_user)
    feedback = (
        Feedback.objects.restrict(acting_user, "view")
        .select_for_update(of=("self",))
        .get(pk=feedback.pk)
    )
    from_committee = feedback.author_id != person.pk
    if from_committee and not permissions.has_permission(
        acting_user, "handbook.change_feedback", feedback.organization
    ):
        raise PermissionDenied
    if feedback.status == FeedbackStatus.CLOSED:
        raise ValidationError({"body": _("This conversation is closed.")})
    if not body.strip():
        raise ValidationError({"body": _("Write your message.")})
    reply = FeedbackReply.objects.create(
        feedback=feedback,
        author=person,
        from_committee=from_committee,
        body=body.strip(),
    )
    feedback.status = FeedbackStatus.ANSWERED if from_committee else FeedbackStatus.OPEN
    feedback.save(update_fields=["status", "updated"])
    audit.record(
        "handbook.feedback_replied",
        obj=feedback,
        actor=acting_user,
        changes={"from_committee": [None, from_committee]},
    )
    if from_committee:
        recipients = [feedback.author.user]
    else:
        recipients = committee_users(feedback.organization, "handbook.change_feedback")
    _notify(
        recipients,
        kind="feedback_reply",
        title=_("Reply: %(subject)s") % {"subject": feedback.subject},
        url=feedback.get_absolute_url(),
    )
    return reply


@transaction.atomic
def close_feedback(feedback: Feedback, *, acting_user) -> Feedback:
    feedback = (
        Feedback.objects.restrict(acting_user, "change")
        .select_for_update(of=("self",))
        .get(pk=feedback.pk)
    )
    feedback.status = FeedbackStatus.CLOSED
    feedback.save(update_fields=["status", "updated"])
    audit.record("handbook.feedback_closed", obj=feedback, actor=acting_user)
    return feedback

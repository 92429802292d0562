"""The handbook API: the member's library, bookmarks, study sessions and
feedback (what the phone app needs)."""

from datetime import date, datetime

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from hoso.handbook import services
from hoso.handbook.models import Feedback, FeedbackReply, LibraryEntry, StudySession

router = Router(tags=["handbook"])


class EntryOut(Schema):
    id: int
    organization: int = Field(validation_alias="organization_id")
    document_id: int
    category: str
    title: str
    summary: str
    symbol: str = Field(validation_alias="document.symbol")


class LibraryQuery(Schema):
    q: str = ""
    category: str = ""
    bookmarked: bool = False


class BookmarkOut(Schema):
    bookmarked: bool


class StudyOut(Schema):
    id: int
    organization: int = Field(validation_alias="organization_id")
    entry_id: int
    title: str
    instructions: str
    due_date: date | None
    questions: list[dict]

    @staticmethod
    def resolve_questions(obj):
        return [
            {"id": q.pk, "text": q.text, "options": q.options}
            for q in obj.questions.all()
        ]


class AckIn(Schema):
    answers: list[int] = []


class AckOut(Schema):
    score: int
    acknowledged_at: datetime


class FeedbackOut(Schema):
    id: int
    organization: int = Field(validation_alias="organization_id")
    subject: str
    body: str
    status: str
    replies: list[dict]

    @staticmethod
    def resolve_replies(obj):
        return [
            {
                "author": str(r.author),
                "from_committee": r.from_committee,
                "body": r.body,
                "created": r.created.isoformat(),
            }
            for r in obj.replies.all()
        ]


class FeedbackIn(Schema):
    organization: int
    subject: str = Field(min_length=1, max_length=255)
    body: str = Field(min_length=1, max_length=5000)


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


def _entry(request, entry_id) -> LibraryEntry:
    try:
        return services.entry_for(request.user, entry_id)
    except LibraryEntry.DoesNotExist:
        raise Http404 from None


@router.get("/handbook/library", response=list[EntryOut])
def library(request, filters: Query[LibraryQuery]):
    """The caller's library (published by their organizations or above)."""
    return services.library_for(
        request.user,
        query=filters.q,
        category=filters.category,
        bookmarked=filters.bookmarked,
    )


@router.get("/handbook/library/{int:entry_id}", response=EntryOut)
def library_entry(request, entry_id: int):
    return _entry(request, entry_id)


@router.post("/handbook/library/{int:entry_id}/bookmark", response=BookmarkOut)
def toggle_bookmark(request, entry_id: int):
    return {
        "bookmarked": services.toggle_bookmark(
            _entry(request, entry_id), acting_user=request.user
        )
    }


@router.get("/handbook/studies", response=list[StudyOut])
def studies(request):
    return services.studies_for(request.user).prefetch_related("questions")


@router.post("/handbook/studies/{int:study_id}/acknowledge", response={201: AckOut})
def acknowledge(request, study_id: int, payload: AckIn):
    session = get_object_or_404(
        StudySession.objects.for_member(request.user), pk=study_id
    )
    return Status(
        201,
        services.acknowledge_study(
            session, acting_user=request.user, answers=payload.answers
        ),
    )


@router.get("/handbook/feedback", response=list[FeedbackOut])
def my_feedback(request):
    return Feedback.objects.mine(request.user).prefetch_related(
        Prefetch("replies", queryset=FeedbackReply.objects.select_related("author"))
    )


@router.post("/handbook/feedback", response={201: FeedbackOut})
def send_feedback(request, payload: FeedbackIn):
    organization = get_object_or_404(
        services.feedback_committees(request.user), pk=payload.organization
    )
    return Status(
        201,
        services.submit_feedback(
            organization=organization,
            subject=payload.subject,
            body=payload.body,
            acting_user=request.user,
        ),
    )


@router.post(
    "/handbook/feedback/{int:feedback_id}/replies", response={201: FeedbackOut}
)
def reply(request, feedback_id: int, payload: ReplyIn):
    feedback = get_object_or_404(
        Feedback.objects.restrict(request.user, "view"), pk=feedback_id
    )
    services.reply_feedback(feedback, body=payload.body, acting_user=request.user)
    feedback.refresh_from_db()
    return Status(201, feedback)

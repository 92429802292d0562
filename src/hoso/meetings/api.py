"""The meetings API: meetings, participants and check-in, agenda, the
floor, votes and ballots, minutes, conclusions and bridges. Every lookup
goes through `restrict()`; transitions call the services."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from hoso.accounts.models import Person
from hoso.meetings import policy, services
from hoso.meetings.models import (
    AgendaItem,
    Bridge,
    Meeting,
    Minutes,
    Participant,
    Vote,
)
from hoso.organizations.models import Organization

router = Router(tags=["meetings"])


class MeetingOut(Schema):
    id: int
    organization: int = Field(validation_alias="organization_id")
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    status: str
    online: bool
    chair_id: int | None
    current_item_id: int | None


class MeetingIn(Schema):
    organization: int
    kind: str
    title: str = Field(min_length=1, max_length=255)
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    chair: int | None = None
    online: bool = False
    invite_default: bool = True


class MeetingFilter(FilterSchema):
    kind: str | None = None
    status: str | None = None
    organization: Annotated[int | None, FilterLookup(q="organization_id")] = None
    starts_after: Annotated[date | None, FilterLookup(q="starts_at__date__gte")] = None
    starts_before: Annotated[date | None, FilterLookup(q="starts_at__date__lte")] = None


class ParticipantOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(validation_alias="person.full_name")
    may_vote: bool
    invitation: str
    attendance: str
    absence_reason: str
    checked_in_at: datetime | None
    checkin_method: str
    bridge_id: int | None


class AnswerIn(Schema):
    accept: bool
    reason: str = ""


class TokenIn(Schema):
    token: str = Field(min_length=1, max_length=500)


class TokenOut(Schema):
    token: str


class AttendanceIn(Schema):
    attendance: str
    reason: str = ""


class AgendaDocumentOut(Schema):
    id: int
    document_id: int
    published_at: datetime | None
    published_late: bool


class AgendaItemOut(Schema):
    id: int
    position: int
    title: str
    description: str
    notes: str


class AgendaItemIn(Schema):
    title: str = Field(min_length=1, max_length=255)
    description: str = ""


class DocumentIn(Schema):
    document: int


class PublishOut(Schema):
    published: int
    late: bool


class SpeakingOut(Schema):
    id: int
    person_name: str = Field(validation_alias="participant.person.full_name")
    topic: str
    status: str


class FloorIn(Schema):
    topic: str = Field("", max_length=255)


class VoteOptionOut(Schema):
    id: int
    position: int
    label: str


class VoteOut(Schema):
    id: int
    meeting_id: int
    item_id: int | None
    question: str
    kind: str
    secret: bool
    seats: int
    quorum_percent: int
    majority: str
    status: str
    eligible_count: int
    options: list[VoteOptionOut]

    @staticmethod
    def resolve_options(obj):
        return list(obj.options.all())


class VoteIn(Schema):
    question: str = Field(min_length=1, max_length=500)
    kind: str
    secret: bool = False
    options: list[str] = []
    seats: int = Field(1, ge=1)
    quorum_percent: int = Field(50, ge=0, le=100)
    majority: str = "half_cast"
    item: int | None = None


class BallotIn(Schema):
    choice: str | list[int]


class VotedOut(Schema):
    voted: bool


class MinutesOut(Schema):
    id: int
    meeting_id: int
    text: str
    status: str
    approved_at: datetime | None
    signed_at: datetime | None


class MinutesIn(Schema):
    text: str = Field(min_length=1)


class SignIn(Schema):
    password: str
    otp_token: str = ""


class ConclusionOut(Schema):
    id: int
    title: str
    description: str
    lead_id: int
    deadline: date
    product: str
    authority_id: int
    coordinator_ids: list[int]
    status: str
    task_id: int | None

    @staticmethod
    def resolve_coordinator_ids(obj):
        return [p.pk for p in obj.coordinators.all()]


class ConclusionIn(Schema):
    title: str = Field(min_length=1, max_length=255)
    description: str = ""
    lead: int
    deadline: date
    product: str = Field(min_length=1, max_length=255)
    authority: int
    coordinators: list[int] = []
    item: int | None = None


class BridgeOut(Schema):
    id: int
    organization: int = Field(validation_alias="organization_id")
    organization_name: str = Field(validation_alias="organization.name")
    video_url: str
    connected: bool
    headcount: int | None
    present: int

    @staticmethod
    def resolve_video_url(obj):
        return obj.video_url()

    @staticmethod
    def resolve_connected(obj):
        return services.bridge_is_connected(obj)

    @staticmethod
    def resolve_present(obj):
        # Lists annotate the count (services.bridges_with_presence).
        if hasattr(obj, "present_count"):
            return obj.present_count
        return obj.participants.filter(attendance="present").count()


class BridgesIn(Schema):
    organizations: list[int]


class HeadcountIn(Schema):
    headcount: int = Field(ge=0, le=100000)


def _meeting(request, meeting_id: int, action: str = "view") -> Meeting:
    return get_object_or_404(
        Meeting.objects.restrict(request.user, action), pk=meeting_id
    )


def _vote(request, vote_id: int) -> Vote:
    return get_object_or_404(
        Vote.objects.restrict(request.user, "view").select_related("meeting"),
        pk=vote_id,
    )


# Meetings ----------------------------------------------------------------------


@router.get("/meetings", response=list[MeetingOut])
@paginate(PageNumberPagination)
def list_meetings(request, filters: Query[MeetingFilter]):
    """Meetings in the caller's scope and those they are invited to."""
    return filters.filter(Meeting.objects.restrict(request.user, "view"))


@router.post("/meetings", response={201: MeetingOut})
def create_meeting(request, payload: MeetingIn):
    """Schedule a meeting (and invite the organization's people)."""
    organization = get_object_or_404(
        Organization.objects.restrict(request.user, "view"), pk=payload.organization
    )
    chair = (
        get_object_or_404(
            Person.objects.restrict(request.user, "view"), pk=payload.chair
        )
        if payload.chair
        else None
    )
    meeting = services.schedule_meeting(
        organization=organization,
        kind=payload.kind,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        location=payload.location,
        chair=chair,
        online=payload.online,
        invite_default=payload.invite_default,
        acting_user=request.user,
    )
    return Status(201, meeting)


@router.get("/meetings/{int:meeting_id}", response=MeetingOut)
def get_meeting(request, meeting_id: int):
    return _meeting(request, meeting_id)


@router.post("/meetings/{int:meeting_id}/start", response=MeetingOut)
def start_meeting(request, meeting_id: int):
    return services.start_meeting(
        _meeting(request, meeting_id), acting_user=request.user
    )


@router.post("/meetings/{int:meeting_id}/close", response=MeetingOut)
def close_meeting(request, meeting_id: int):
    return services.close_meeting(
        _meeting(request, meeting_id), acting_user=request.user
    )


@router.get("/meetings/{int:meeting_id}/participants", response=list[ParticipantOut])
def list_participants(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    return meeting.participants.select_related("person")


@router.post("/meetings/{int:meeting_id}/answer", response=ParticipantOut)
def answer_invitation(request, meeting_id: int, payload: AnswerIn):
    """The invited caller accepts, or declines with a reason."""
    return services.respond(
        _meeting(request, meeting_id),
        acting_user=request.user,
        accept=payload.accept,
        reason=payload.reason,
    )


@router.get("/meetings/{int:meeting_id}/checkin-token", response=TokenOut)
def my_checkin_token(request, meeting_id: int):
    """The caller's own QR check-in token for the meeting."""
    me = policy.participant_of(_meeting(request, meeting_id), request.user)
    if me is None:
        raise Http404
    return {"token": services.checkin_token(me)}


@router.post("/meetings/{int:meeting_id}/check-in", response=ParticipantOut)
def check_in(request, meeting_id: int, payload: TokenIn):
    """The secretary's desk submits a scanned QR token."""
    return services.check_in_with_token(
        _meeting(request, meeting_id), payload.token, acting_user=request.user
    )


@router.post(
    "/meetings/{int:meeting_id}/participants/{int:participant_id}/attendance",
    response=ParticipantOut,
)
def record_attendance(
    request, meeting_id: int, participant_id: int, payload: AttendanceIn
):
    meeting = _meeting(request, meeting_id, "change")
    participant = get_object_or_404(meeting.participants, pk=participant_id)
    return services.record_attendance(
        participant,
        attendance=payload.attendance,
        reason=payload.reason,
        acting_user=request.user,
    )


# Agenda ------------------------------------------------------------------------------


@router.get("/meetings/{int:meeting_id}/agenda", response=list[AgendaItemOut])
def list_agenda(request, meeting_id: int):
    return _meeting(request, meeting_id).agenda_items.all()


@router.post("/meetings/{int:meeting_id}/agenda", response={201: AgendaItemOut})
def add_agenda_item(request, meeting_id: int, payload: AgendaItemIn):
    item = services.add_agenda_item(
        _meeting(request, meeting_id),
        title=payload.title,
        description=payload.description,
        acting_user=request.user,
    )
    return Status(201, item)


@router.get("/meetings/{int:meeting_id}/documents", response=list[AgendaDocumentOut])
def list_documents(request, meeting_id: int):
    """The agenda documents the caller may read (participants: published)."""
    return services.published_documents_for(_meeting(request, meeting_id), request.user)


@router.post(
    "/meetings/{int:meeting_id}/agenda/{int:item_id}/documents",
    response={201: AgendaDocumentOut},
)
def attach_document(request, meeting_id: int, item_id: int, payload: DocumentIn):
    from hoso.documents.models import Document

    meeting = _meeting(request, meeting_id, "change")
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    document = get_object_or_404(
        Document.objects.restrict(request.user, "view"), pk=payload.document
    )
    return Status(
        201, services.attach_document(item, document, acting_user=request.user)
    )


@router.post("/meetings/{int:meeting_id}/publish", response=PublishOut)
def publish_documents(request, meeting_id: int):
    published, late = services.publish_documents(
        _meeting(request, meeting_id), acting_user=request.user
    )
    return {"published": published, "late": late}


# The floor ----------------------------------------------------------------------------


@router.get("/meetings/{int:meeting_id}/speakers", response=list[SpeakingOut])
def speaking_queue(request, meeting_id: int):
    return services.speaking_queue(_meeting(request, meeting_id))


@router.post("/meetings/{int:meeting_id}/speakers", response={201: SpeakingOut})
def request_floor(request, meeting_id: int, payload: FloorIn):
    return Status(
        201,
        services.request_floor(
            _meeting(request, meeting_id), acting_user=request.user, topic=payload.topic
        ),
    )


@router.post(
    "/meetings/{int:meeting_id}/speakers/next", response={200: SpeakingOut, 204: None}
)
def next_speaker(request, meeting_id: int):
    following = services.advance_floor(
        _meeting(request, meeting_id), acting_user=request.user
    )
    return following if following is not None else Status(204, None)


# Votes ---------------------------------------------------------------------------


@router.get("/meetings/{int:meeting_id}/votes", response=list[VoteOut])
def list_votes(request, meeting_id: int):
    return _meeting(request, meeting_id).votes.prefetch_related("options")


@router.post("/meetings/{int:meeting_id}/votes", response={201: VoteOut})
def create_vote(request, meeting_id: int, payload: VoteIn):
    meeting = _meeting(request, meeting_id)
    item = (
        get_object_or_404(AgendaItem, pk=payload.item, meeting=meeting)
        if payload.item
        else None
    )
    vote = services.create_vote(
        meeting,
        question=payload.question,
        kind=payload.kind,
        secret=payload.secret,
        options=payload.options,
        seats=payload.seats,
        quorum_percent=payload.quorum_percent,
        majority=payload.majority,
        item=item,
        acting_user=request.user,
    )
    return Status(201, vote)


@router.get("/votes/{int:vote_id}", response=VoteOut)
def get_vote(request, vote_id: int):
    return _vote(request, vote_id)


@router.post("/votes/{int:vote_id}/open", response=VoteOut)
def open_vote(request, vote_id: int):
    return services.open_vote(_vote(request, vote_id), acting_user=request.user)


@router.post("/votes/{int:vote_id}/close", response=VoteOut)
def close_vote(request, vote_id: int):
    return services.close_vote(_vote(request, vote_id), acting_user=request.user)


@router.post("/votes/{int:vote_id}/ballots", response={201: VotedOut})
def cast_ballot(request, vote_id: int, payload: BallotIn):
    """Cast the caller's ballot: "yes" / "no" / "abstain", or a list of
    option ids (chosen, or ranked best first). A second ballot is 422.

    Only the vote's participants may cast, which the service checks; anyone
    else gets 404 as for any object outside their scope. (The scoped lookup
    of the other endpoints is skipped here: casting is the hot path.)"""
    try:
        services.cast_ballot(
            Vote(pk=vote_id), acting_user=request.user, choice=payload.choice
        )
    except PermissionDenied:
        raise Http404 from None
    return Status(201, {"voted": True})


@router.get("/votes/{int:vote_id}/ballot", response=VotedOut)
def my_ballot(request, vote_id: int):
    """Whether the caller has voted (never what they chose)."""
    vote = _vote(request, vote_id)
    return {
        "voted": services.has_voted(
            vote, policy.participant_of(vote.meeting, request.user)
        )
    }


@router.get("/votes/{int:vote_id}/results", response=dict)
def vote_results(request, vote_id: int):
    """Live counts while open (a secret ballot: turnout and quorum only); the
    stored result once closed."""
    return services.shown_result(_vote(request, vote_id))


# Minutes and conclusions --------------------------------------------------------------


def _minutes(request, meeting_id) -> Minutes:
    return get_object_or_404(Minutes, meeting=_meeting(request, meeting_id))


@router.get("/meetings/{int:meeting_id}/minutes", response=MinutesOut)
def get_minutes(request, meeting_id: int):
    return _minutes(request, meeting_id)


@router.post("/meetings/{int:meeting_id}/minutes/generate", response=MinutesOut)
def generate_minutes(request, meeting_id: int):
    return services.generate_minutes(
        _meeting(request, meeting_id), acting_user=request.user
    )


@router.put("/meetings/{int:meeting_id}/minutes", response=MinutesOut)
def update_minutes(request, meeting_id: int, payload: MinutesIn):
    return services.update_minutes(
        _minutes(request, meeting_id), text=payload.text, acting_user=request.user
    )


@router.post("/meetings/{int:meeting_id}/minutes/approve", response=MinutesOut)
def approve_minutes(request, meeting_id: int):
    return services.approve_minutes(
        _minutes(request, meeting_id), acting_user=request.user
    )


@router.post("/meetings/{int:meeting_id}/minutes/sign", response=MinutesOut)
def sign_minutes(request, meeting_id: int, payload: SignIn):
    return services.sign_minutes(
        _minutes(request, meeting_id),
        acting_user=request.user,
        password=payload.password,
        otp_token=payload.otp_token,
    )


@router.get("/meetings/{int:meeting_id}/conclusions", response=list[ConclusionOut])
def list_conclusions(request, meeting_id: int):
    return _meeting(request, meeting_id).conclusions.prefetch_related("coordinators")


@router.post("/meetings/{int:meeting_id}/conclusions", response={201: ConclusionOut})
def add_conclusion(request, meeting_id: int, payload: ConclusionIn):
    meeting = _meeting(request, meeting_id)
    people = Person.objects.filter(meeting_participations__meeting=meeting)
    conclusion = services.add_conclusion(
        meeting,
        acting_user=request.user,
        title=payload.title,
        description=payload.description,
        lead=get_object_or_404(people, pk=payload.lead),
        deadline=payload.deadline,
        product=payload.product,
        authority=get_object_or_404(people, pk=payload.authority),
        coordinators=list(people.filter(pk__in=payload.coordinators)),
        item=get_object_or_404(AgendaItem, pk=payload.item, meeting=meeting)
        if payload.item
        else None,
    )
    return Status(201, conclusion)


@router.post(
    "/meetings/{int:meeting_id}/conclusions/{int:conclusion_id}/task",
    response=ConclusionOut,
)
def conclusion_to_task(request, meeting_id: int, conclusion_id: int):
    """Turn a recorded conclusion into a task (when the operations app is
    installed; otherwise it stays a record and is returned unchanged)."""
    meeting = _meeting(request, meeting_id, "change")
    conclusion = get_object_or_404(meeting.conclusions, pk=conclusion_id)
    services.conclusion_to_task(conclusion, acting_user=request.user)
    conclusion.refresh_from_db()
    return conclusion


# Bridges -------------------------------------------------------------------------


@router.get("/meetings/{int:meeting_id}/bridges", response=list[BridgeOut])
def list_bridges(request, meeting_id: int):
    """The host's view: which bridges are connected and counted."""
    return services.bridges_with_presence(_meeting(request, meeting_id))


@router.post("/meetings/{int:meeting_id}/bridges", response={201: list[BridgeOut]})
def add_bridges(request, meeting_id: int, payload: BridgesIn):
    meeting = _meeting(request, meeting_id)
    organizations = Organization.objects.restrict(request.user, "view").filter(
        pk__in=payload.organizations
    )
    return Status(
        201, services.add_bridges(meeting, organizations, acting_user=request.user)
    )


def _bridge(request, bridge_id) -> Bridge:
    return get_object_or_404(
        Bridge.objects.restrict(request.user, "view").select_related(
            "meeting__organization", "organization"
        ),
        pk=bridge_id,
    )


@router.post("/bridges/{int:bridge_id}/heartbeat", response=BridgeOut)
def bridge_heartbeat(request, bridge_id: int):
    return services.bridge_heartbeat(
        _bridge(request, bridge_id), acting_user=request.user
    )


@router.post("/bridges/{int:bridge_id}/headcount", response=BridgeOut)
def bridge_headcount(request, bridge_id: int, payload: HeadcountIn):
    return services.count_bridge(
        _bridge(request, bridge_id),
        headcount=payload.headcount,
        acting_user=request.user,
    )


@router.post(
    "/bridges/{int:bridge_id}/participants/{int:participant_id}/check-in",
    response=ParticipantOut,
)
def bridge_check_in(request, bridge_id: int, participant_id: int):
    bridge = _bridge(request, bridge_id)
    participant = get_object_or_404(
        Participant, pk=participant_id, meeting_id=bridge.meeting_id
    )
    return services.check_in_at_bridge(bridge, participant, acting_user=request.user)

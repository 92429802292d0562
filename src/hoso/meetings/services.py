"""Meeting services: every change to a meeting goes through here.

Each function checks the permission policy, runs in one transaction, writes
the audit entry and defers notifications to commit.
"""

from __future__ import annotations

import calendar
import json
import random
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hoso.core import audit, permissions
from hoso.meetings import counting, policy
from hoso.meetings.choices import (
    YES_NO_CHOICES,
    Attendance,
    CheckinMethod,
    ConclusionStatus,
    Invitation,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    SpeakingStatus,
    VoteKind,
    VoteStatus,
)
from hoso.meetings.models import (
    AgendaDocument,
    AgendaItem,
    BallotReceipt,
    Bridge,
    Conclusion,
    Meeting,
    MeetingSeries,
    Minutes,
    OpenBallot,
    Participant,
    SecretBallot,
    SpeakingRequest,
    Vote,
    VoteOption,
)

CHECKIN_SALT = "hoso.meetings.checkin"
# A bridge that has not been seen for this long counts as disconnected.
BRIDGE_TIMEOUT = timedelta(seconds=60)


# Helpers ---------------------------------------------------------------------


def _person(user):
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied
    return person


def _require(user, permission: str, organization) -> None:
    if not permissions.has_permission(user, permission, organization):
        raise PermissionDenied


def _locked(meeting: Meeting, user, action: str = "change") -> Meeting:
    """Re-read the meeting locked, within the user's scope (404 → DoesNotExist)."""
    return (
        Meeting.objects.restrict(user, action)
        .select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=meeting.pk)
    )


def _refuse_closed(meeting: Meeting) -> None:
    if not meeting.is_open:
        raise ValidationError({"status": _("This meeting is closed.")})


def _notify(users, **kwargs) -> None:
    from hoso.notifications.services import notify

    users = [u for u in users if u is not None]
    transaction.on_commit(lambda: notify(users, **kwargs))


# Scheduling and invitations --------------------------------------------------


def default_invitees(organization) -> list:
    """Who a cell meeting invites by default: everybody holding a current
    position in the organization, plus its members when the members app is
    installed (`hoso.members.services.persons_in`)."""
    from hoso.accounts.models import Person, Position

    holders = Position.objects.current().filter(organization=organization)
    people = Person.objects.filter(pk__in=holders.values("person_id"))
    if apps.is_installed("hoso.members"):
        from hoso.members.services import persons_in

        people = people | persons_in(organization)
    return list(people.distinct().select_related("user").order_by("full_name"))


@transaction.atomic
def schedule_meeting(
    *,
    organization,
    kind: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    acting_user,
    location: str = "",
    chair=None,
    secretary=None,
    online: bool = False,
    series: MeetingSeries | None = None,
    invite_default: bool = True,
) -> Meeting:
    """Schedule a meeting and invite the organization's people.

    GIVEN a user with `meetings.add_meeting` at the organization
    WHEN they schedule a meeting
    THEN it is stored, the default invitees become participants and are
    notified, and the audit log records it.
    """
    _require(acting_user, "meetings.add_meeting", organization)
    meeting = Meeting(
        organization=organization,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        chair=chair,
        secretary=secretary,
        online=online,
        series=series,
    )
    meeting.full_clean()
    meeting.save()
    audit.record(
        "meetings.scheduled",
        obj=meeting,
        actor=acting_user,
        changes={"starts_at": [None, starts_at.isoformat()], "kind": [None, kind]},
    )
    if invite_default:
        invite(meeting, default_invitees(organization), acting_user=acting_user)
    return meeting


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def generate_monthly_series(
    *,
    organization,
    title: str,
    day_of_month: int,
    start_time: time,
    duration_minutes: int,
    first_month: date,
    months: int,
    acting_user,
    location: str = "",
    chair=None,
) -> tuple[MeetingSeries, list[Meeting]]:
    """The regular monthly cell meeting: a series and its meetings for
    `months` months from `first_month` (a month with fewer days uses its
    last day). Months that already have a meeting of the series are skipped,
    so generating again extends the series without duplicates."""
    _require(acting_user, "meetings.add_meeting", organization)
    if not 1 <= months <= 24:
        raise ValidationError({"months": _("Generate between 1 and 24 months.")})
    if duration_minutes <= 0:
        raise ValidationError({"duration_minutes": _("The duration must be positive.")})
    series, _created = MeetingSeries.objects.get_or_create(
        organization=organization,
        title=title.strip(),
        defaults={
            "day_of_month": day_of_month,
            "start_time": start_time,
            "duration_minutes": duration_minutes,
            "location": location,
            "kind": MeetingKind.CELL,
        },
    )
    series.full_clean()
    existing = {
        (d.year, d.month)
        for d in series.meetings.values_list("starts_at", flat=True)
        for d in [timezone.localtime(d)]
    }
    created = []
    tz = timezone.get_current_timezone()
    year, month = first_month.year, first_month.month
    for _index in range(months):
        if (year, month) not in existing:
            day = _month_day(year, month, series.day_of_month)
            starts = timezone.make_aware(datetime.combine(day, series.start_time), tz)
            created.append(
                schedule_meeting(
                    organization=organization,
                    kind=MeetingKind.CELL,
                    title=f"{series.title} — {month:02d}/{year}",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=series.duration_minutes),
                    location=series.location,
                    chair=chair,
                    series=series,
                    acting_user=acting_user,
                )
            )
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return series, created


@transaction.atomic
def invite(meeting: Meeting, persons: Iterable, *, acting_user) -> list[Participant]:
    """Add people to the meeting (those already invited are skipped) and
    notify them."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    already = set(meeting.participants.values_list("person_id", flat=True))
    added = [
        Participant(meeting=meeting, person=person)
        for person in persons
        if person.pk not in already
    ]
    Participant.objects.bulk_create(added)
    if added:
        audit.record(
            "meetings.invited",
            obj=meeting,
            actor=acting_user,
            changes={"participants": [None, [p.person_id for p in added]]},
        )
        _notify(
            [p.person.user for p in added],
            kind="meeting_invitation",
            title=_("Invitation: %(title)s") % {"title": meeting.title},
            body=timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y %H:%M")
            + (f" · {meeting.location}" if meeting.location else ""),
            url=meeting.get_absolute_url(),
        )
    return added


@transaction.atomic
def respond(
    meeting: Meeting, *, acting_user, accept: bool, reason: str = ""
) -> Participant:
    """The invited person accepts, or declines with a reason (which becomes
    their reason for absence)."""
    person = _person(acting_user)
    participant = (
        Participant.objects.select_for_update()
        .filter(meeting=meeting, person=person)
        .first()
    )
    if participant is None:
        raise PermissionDenied
    _refuse_closed(meeting)
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError({"reason": _("Say why you cannot attend.")})
    participant.invitation = Invitation.ACCEPTED if accept else Invitation.DECLINED
    participant.responded_at = timezone.now()
    if not accept:
        participant.absence_reason = reason[:500]
        if participant.attendance == Attendance.UNKNOWN:
            participant.attendance = Attendance.ABSENT_EXCUSED
    elif participant.attendance == Attendance.ABSENT_EXCUSED:
        participant.attendance = Attendance.UNKNOWN
        participant.absence_reason = ""
    participant.save()
    audit.record(
        "meetings.invitation_answered",
        obj=meeting,
        actor=acting_user,
        changes={
            "invitation": [None, participant.invitation],
            "reason": [None, reason],
        },
    )
    return participant


# Agenda and documents --------------------------------------------------------


@transaction.atomic
def add_agenda_item(
    meeting: Meeting, *, title: str, acting_user, description: str = "", presenter=None
) -> AgendaItem:
    """Append an item to the agenda."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    if not title.strip():
        raise ValidationError({"title": _("An agenda item needs a title.")})
    last = meeting.agenda_items.order_by("-position").first()
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=(last.position + 1) if last else 1,
        title=title.strip(),
        description=description,
        presenter=presenter,
    )
    audit.record(
        "meetings.agenda_item_added",
        obj=meeting,
        actor=acting_user,
        changes={"item": [None, str(item)]},
    )
    return item


@transaction.atomic
def update_item_notes(item: AgendaItem, *, notes: str, acting_user) -> AgendaItem:
    """The minute taker's notes on an agenda item."""
    _locked(item.meeting, acting_user)
    before = item.notes
    item.notes = notes
    item.save(update_fields=["notes", "updated"])
    audit.record(
        "meetings.notes_updated",
        obj=item.meeting,
        actor=acting_user,
        changes={"item": [None, item.pk], "notes": [before, notes]},
    )
    return item


@transaction.atomic
def attach_document(item: AgendaItem, document, *, acting_user) -> AgendaDocument:
    """Attach a document the user may see to an agenda item."""
    from hoso.documents.models import Document

    meeting = _locked(item.meeting, acting_user)
    _refuse_closed(meeting)
    if (
        not Document.objects.restrict(acting_user, "view")
        .filter(pk=document.pk)
        .exists()
    ):
        raise ValidationError({"document": _("Choose a document you may see.")})
    attached, created = AgendaDocument.objects.get_or_create(
        item=item, document=document
    )
    if not created:
        raise ValidationError({"document": _("This document is already on the item.")})
    audit.record(
        "meetings.document_attached",
        obj=meeting,
        actor=acting_user,
        changes={"item": [None, item.pk], "document": [None, document.pk]},
    )
    return attached


@transaction.atomic
def publish_documents(meeting: Meeting, *, acting_user) -> tuple[int, bool]:
    """Publish every unpublished agenda document to the participants now.

    Returns (how many were published, whether that is less than a day
    before the meeting: late publication is flagged on the meeting page and
    counted by the indicator)."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    now = timezone.now()
    pending = AgendaDocument.objects.filter(
        item__meeting=meeting, published_at__isnull=True
    )
    published = pending.update(published_at=now)
    late = now > meeting.publication_deadline
    if published:
        audit.record(
            "meetings.documents_published",
            obj=meeting,
            actor=acting_user,
            changes={"documents": [None, published], "late": [None, late]},
        )
        _notify(
            [
                p.person.user
                for p in meeting.participants.select_related("person__user")
            ],
            kind="meeting_documents",
            title=_("Documents for %(title)s") % {"title": meeting.title},
            url=meeting.get_absolute_url(),
        )
    return published, late


def published_documents_for(meeting: Meeting, user):
    """The agenda documents this user may read: everything for those who
    run the meeting (within their clearance), the published ones for
    participants."""
    from hoso.core.permissions import clearance_of

    documents = AgendaDocument.objects.filter(item__meeting=meeting).select_related(
        "document", "item__meeting"
    )
    if not policy.can_manage(meeting, user):
        if policy.participant_of(meeting, user) is None:
            return documents.none()
        documents = documents.filter(published_at__isnull=False)
    if not user.is_superuser:
        documents = documents.filter(document__secrecy__lte=clearance_of(user))
    return documents


# Attendance and check-in ------------------------------------------------------


def checkin_token(participant: Participant) -> str:
    """The signed token in a participant's QR code (meeting and participant
    ids, HMAC-signed with the secret key; useless for any other meeting)."""
    return signing.dumps(
        {"m": participant.meeting_id, "p": participant.pk}, salt=CHECKIN_SALT
    )


def _mark_present(participant: Participant, method: str) -> bool:
    """Record presence; False when they had already checked in."""
    if participant.attendance == Attendance.PRESENT:
        return False
    participant.attendance = Attendance.PRESENT
    participant.absence_reason = ""
    participant.checked_in_at = timezone.now()
    participant.checkin_method = method
    participant.save()
    return True


@transaction.atomic
def check_in_with_token(meeting: Meeting, token: str, *, acting_user) -> Participant:
    """The secretary's page scans a participant's QR code.

    GIVEN a token signed for this meeting
    WHEN the secretary's page submits it
    THEN the participant is present, checked in by QR; a token of another
    meeting, a forged or mangled token is refused.
    """
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    try:
        data = signing.loads((token or "").strip(), salt=CHECKIN_SALT)
    except signing.BadSignature:
        raise ValidationError(
            {"token": _("This is not a valid check-in code.")}
        ) from None
    if not isinstance(data, dict) or data.get("m") != meeting.pk:
        raise ValidationError({"token": _("This code is for another meeting.")})
    participant = (
        Participant.objects.select_for_update()
        .select_related("person")
        .filter(meeting=meeting, pk=data.get("p"))
        .first()
    )
    if participant is None:
        raise ValidationError({"token": _("This participant is no longer invited.")})
    if _mark_present(participant, CheckinMethod.QR):
        audit.record(
            "meetings.checked_in",
            obj=meeting,
            actor=acting_user,
            changes={
                "participant": [None, participant.person_id],
                "method": [None, "qr"],
            },
        )
    return participant


@transaction.atomic
def record_attendance(
    participant: Participant, *, attendance: str, acting_user, reason: str = ""
) -> Participant:
    """The secretary records presence or absence (with its reason) by hand."""
    _locked(participant.meeting, acting_user)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": _("Choose a valid attendance.")})
    if attendance == Attendance.ABSENT_EXCUSED and not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the absence.")})
    before = participant.attendance
    if attendance == Attendance.PRESENT:
        _mark_present(participant, CheckinMethod.MANUAL)
    else:
        participant.attendance = attendance
        participant.absence_reason = reason.strip()[:500]
        participant.checked_in_at = None
        participant.checkin_method = ""
        participant.save()
    audit.record(
        "meetings.attendance_recorded",
        obj=participant.meeting,
        actor=acting_user,
        changes={
            "participant": [None, participant.person_id],
            "attendance": [before, attendance],
            "reason": [None, reason],
        },
    )
    return participant


def attendance_summary(meeting: Meeting) -> dict:
    """Counts for the page and the room screen."""
    rows = list(meeting.participants.values_list("attendance", "may_vote"))
    present = sum(1 for a, _v in rows if a == Attendance.PRESENT)
    return {
        "invited": len(rows),
        "present": present,
        "excused": sum(1 for a, _v in rows if a == Attendance.ABSENT_EXCUSED),
        "absent": sum(1 for a, _v in rows if a == Attendance.ABSENT),
        "voters_present": sum(1 for a, v in rows if v and a == Attendance.PRESENT),
    }


# Running the meeting: status, current item, the floor ------------------------


@transaction.atomic
def start_meeting(meeting: Meeting, *, acting_user) -> Meeting:
    meeting = _locked(meeting, acting_user)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({"status": _("Only a scheduled meeting can start.")})
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.current_item = meeting.agenda_items.first()
    meeting.save()
    audit.record("meetings.started", obj=meeting, actor=acting_user)
    return meeting


@transaction.atomic
def close_meeting(meeting: Meeting, *, acting_user) -> Meeting:
    """Close the meeting: open votes are closed; nobody checked in is absent."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    for vote in meeting.votes.filter(status=VoteStatus.OPEN):
        close_vote(vote, acting_user=acting_user)
    meeting.participants.filter(attendance=Attendance.UNKNOWN).update(
        attendance=Attendance.ABSENT
    )
    meeting.speaking_requests.filter(
        status__in=[SpeakingStatus.WAITING, SpeakingStatus.SPEAKING]
    ).update(status=SpeakingStatus.DONE, finished_at=timezone.now())
    meeting.status = MeetingStatus.CLOSED
    meeting.current_item = None
    meeting.save()
    audit.record("meetings.closed", obj=meeting, actor=acting_user)
    return meeting


@transaction.atomic
def set_current_item(
    meeting: Meeting, item: AgendaItem | None, *, acting_user
) -> Meeting:
    """What the room screen shows as under discussion."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    if item is not None and item.meeting_id != meeting.pk:
        raise ValidationError({"item": _("This item is not on the agenda.")})
    meeting.current_item = item
    meeting.save(update_fields=["current_item", "updated"])
    audit.record(
        "meetings.current_item",
        obj=meeting,
        actor=acting_user,
        changes={"item": [None, item.pk if item else None]},
    )
    return meeting


@transaction.atomic
def request_floor(meeting: Meeting, *, acting_user, topic: str = "") -> SpeakingRequest:
    """A participant asks to speak; they join the end of the queue."""
    participant = policy.participant_of(meeting, acting_user)
    if participant is None:
        raise PermissionDenied
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError({"status": _("The meeting is not in progress.")})
    if SpeakingRequest.objects.filter(
        participant=participant,
        status__in=[SpeakingStatus.WAITING, SpeakingStatus.SPEAKING],
    ).exists():
        raise ValidationError({"topic": _("You are already in the queue.")})
    request = SpeakingRequest.objects.create(
        meeting=meeting,
        participant=participant,
        item=meeting.current_item,
        topic=topic.strip()[:255],
    )
    audit.record(
        "meetings.floor_requested",
        obj=meeting,
        actor=acting_user,
        changes={"topic": [None, request.topic]},
    )
    return request


def speaking_queue(meeting: Meeting):
    """Who speaks now and who waits, in order of asking."""
    return (
        meeting.speaking_requests.filter(
            status__in=[SpeakingStatus.WAITING, SpeakingStatus.SPEAKING]
        )
        .select_related("participant__person")
        .order_by("created", "pk")
    )


@transaction.atomic
def advance_floor(meeting: Meeting, *, acting_user) -> SpeakingRequest | None:
    """The chair ends the current speaker and gives the floor to the next
    in the queue (returns them, or None when the queue is empty)."""
    meeting = _locked(meeting, acting_user)
    now = timezone.now()
    meeting.speaking_requests.filter(status=SpeakingStatus.SPEAKING).update(
        status=SpeakingStatus.DONE, finished_at=now
    )
    following = (
        meeting.speaking_requests.filter(status=SpeakingStatus.WAITING)
        .order_by("created", "pk")
        .first()
    )
    if following is not None:
        following.status = SpeakingStatus.SPEAKING
        following.started_at = now
        following.save(update_fields=["status", "started_at", "updated"])
    audit.record(
        "meetings.floor_given",
        obj=meeting,
        actor=acting_user,
        changes={
            "speaker": [None, following.participant.person_id if following else None]
        },
    )
    return following


@transaction.atomic
def withdraw_floor(request: SpeakingRequest, *, acting_user) -> SpeakingRequest:
    """A participant leaves the queue (or the chair removes them)."""
    own = request.participant.person.user_id == acting_user.pk
    if not own and not policy.can_manage(request.meeting, acting_user):
        raise PermissionDenied
    if request.status != SpeakingStatus.WAITING:
        raise ValidationError({"status": _("Only a waiting request can be withdrawn.")})
    request.status = SpeakingStatus.WITHDRAWN
    request.save(update_fields=["status", "updated"])
    audit.record("meetings.floor_withdrawn", obj=request.meeting, actor=acting_user)
    return request


# Voting -----------------------------------------------------------------------


@transaction.atomic
def create_vote(
    meeting: Meeting,
    *,
    question: str,
    kind: str,
    acting_user,
    secret: bool = False,
    options: Sequence[str] = (),
    seats: int = 1,
    quorum_percent: int = 50,
    majority: str = "half_cast",
    item: AgendaItem | None = None,
) -> Vote:
    """Prepare a vote with its rules (opened separately)."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    errors = {}
    if not question.strip():
        errors["question"] = _("A vote needs a question.")
    if kind not in VoteKind.values:
        errors["kind"] = _("Choose a valid kind of vote.")
    labels = [o.strip() for o in options if o and o.strip()]
    if kind in (VoteKind.CHOOSE, VoteKind.RANKED) and len(labels) < 2:
        errors["options"] = _("Give at least two options, one per line.")
    if len(set(labels)) != len(labels):
        errors["options"] = _("The options must differ.")
    if kind == VoteKind.CHOOSE and not 1 <= seats <= max(len(labels), 1):
        errors["seats"] = _("Choose between 1 and the number of options.")
    if not 0 <= quorum_percent <= 100:
        errors["quorum_percent"] = _("The quorum is a percentage from 0 to 100.")
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = _("This item is not on the agenda.")
    if errors:
        raise ValidationError(errors)
    vote = Vote(
        meeting=meeting,
        item=item,
        question=question.strip(),
        kind=kind,
        secret=secret,
        seats=seats if kind == VoteKind.CHOOSE else 1,
        quorum_percent=quorum_percent,
        majority=majority,
    )
    vote.full_clean()
    vote.save()
    if kind != VoteKind.YES_NO:
        VoteOption.objects.bulk_create(
            VoteOption(vote=vote, position=i, label=label)
            for i, label in enumerate(labels, start=1)
        )
    audit.record(
        "meetings.vote_created",
        obj=meeting,
        actor=acting_user,
        changes={"vote": [None, vote.pk], "question": [None, vote.question]},
    )
    return vote


def _lock_vote(vote: Vote, acting_user) -> Vote:
    _locked(vote.meeting, acting_user)
    return Vote.objects.select_for_update().get(pk=vote.pk)


def eligible_voters(meeting: Meeting):
    """Participants who may vote: on the roll with a vote and present."""
    return meeting.participants.filter(may_vote=True, attendance=Attendance.PRESENT)


@transaction.atomic
def open_vote(vote: Vote, *, acting_user) -> Vote:
    vote = _lock_vote(vote, acting_user)
    if vote.status != VoteStatus.DRAFT:
        raise ValidationError({"status": _("Only a prepared vote can be opened.")})
    if vote.meeting.status != MeetingStatus.IN_PROGRESS:
        raise ValidationError({"status": _("The meeting is not in progress.")})
    vote.status = VoteStatus.OPEN
    vote.opened_at = timezone.now()
    vote.eligible_count = vote.meeting.participants.filter(may_vote=True).count()
    vote.save()
    audit.record(
        "meetings.vote_opened",
        obj=vote.meeting,
        actor=acting_user,
        changes={"vote": [None, vote.pk], "eligible": [None, vote.eligible_count]},
    )
    _notify(
        [
            p.person.user
            for p in eligible_voters(vote.meeting).select_related("person__user")
        ],
        kind="meeting_vote",
        title=_("Vote open: %(question)s") % {"question": vote.question},
        url=vote.get_absolute_url(),
    )
    return vote


def _validate_choice(vote: Vote, choice):
    """The ballot's content in canonical form, or a ValidationError."""
    if vote.kind == VoteKind.YES_NO:
        if choice not in dict(YES_NO_CHOICES):
            raise ValidationError({"choice": _("Choose yes, no or abstain.")})
        return choice
    option_ids = set(vote.options.values_list("pk", flat=True))
    if not isinstance(choice, list) or not all(
        isinstance(x, int) and not isinstance(x, bool) for x in choice
    ):
        raise ValidationError({"choice": _("Choose among the options.")})
    if len(set(choice)) != len(choice) or not set(choice) <= option_ids:
        raise ValidationError({"choice": _("Choose among the options, each once.")})
    if vote.kind == VoteKind.CHOOSE and len(choice) > vote.seats:
        raise ValidationError(
            {"choice": _("Choose at most %(n)s options.") % {"n": vote.seats}}
        )
    if vote.kind == VoteKind.RANKED and not choice:
        raise ValidationError({"choice": _("Rank at least one option.")})
    return choice


# The casting hot path is plain SQL: with 2,000 voters in one vote the ORM's
# query compilation was most of the cost of a ballot (see bench/voting.py).
_CAST_CONTEXT_SQL = """
SELECT p.id, p.may_vote, p.attendance, v.status, v.kind, v.secret, v.seats,
       m.id, m.title, o.id, o.path
FROM meetings_vote v
JOIN meetings_meeting m ON m.id = v.meeting_id
JOIN organizations_organization o ON o.id = m.organization_id
JOIN meetings_participant p ON p.meeting_id = v.meeting_id
JOIN accounts_person pe ON pe.id = p.person_id
WHERE v.id = %s AND pe.user_id = %s
"""


_CAST_SQL = {
    "sqlite": {
        "insert_secret": "INSERT INTO meetings_secretballot (id, vote_id, choice) "
        "VALUES (%s, %s, %s)",
        "insert_open": "INSERT INTO meetings_openballot "
        "(vote_id, participant_id, choice) VALUES (%s, %s, %s)",
        "vote_status": "SELECT status FROM meetings_vote WHERE id = %s",
    },
    "postgresql": {
        "insert_secret": "INSERT INTO meetings_secretballot (id, vote_id, choice) "
        "VALUES (%s, %s, CAST(%s AS jsonb))",
        "insert_open": "INSERT INTO meetings_openballot "
        "(vote_id, participant_id, choice) VALUES (%s, %s, CAST(%s AS jsonb))",
        "vote_status": "SELECT status FROM meetings_vote WHERE id = %s FOR UPDATE",
    },
}


def _sql(name: str) -> str:
    return _CAST_SQL[connection.vendor][name]


def cast_ballot(vote: Vote, *, acting_user, choice) -> None:
    """Cast the acting user's ballot.

    GIVEN an open vote and a participant present with the right to vote
    WHEN they cast a valid ballot
    THEN in one transaction a "has voted" receipt (unique per vote and
    participant) and the ballot are inserted: for a secret vote the ballot
    carries no voter, no time and a random id; a second ballot fails on the
    receipt's unique constraint and writes nothing.
    """
    from hoso.organizations.models import Organization

    with connection.cursor() as cursor:
        cursor.execute(_CAST_CONTEXT_SQL, [vote.pk, acting_user.pk])
        row = cursor.fetchone()
    if row is None:
        raise PermissionDenied
    (participant_id, may_vote, attendance, status, kind, secret, seats,
     meeting_id, meeting_title, org_id, org_path) = row  # fmt: skip
    if status != VoteStatus.OPEN:
        raise ValidationError({"status": _("This vote is not open.")})
    if not may_vote:
        raise ValidationError({"choice": _("You do not have a vote in this meeting.")})
    if attendance != Attendance.PRESENT:
        raise ValidationError({"choice": _("Check in before you vote.")})
    choice = _validate_choice(Vote(pk=vote.pk, kind=kind, seats=seats), choice)
    payload = json.dumps(choice)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO meetings_ballotreceipt (vote_id, participant_id) "
                "VALUES (%s, %s)",
                [vote.pk, participant_id],
            )
            if secret:
                cursor.execute(
                    _sql("insert_secret"), [uuid.uuid4().hex, vote.pk, payload]
                )
            else:
                cursor.execute(_sql("insert_open"), [vote.pk, participant_id, payload])
            # The vote may have closed since it was read: the row lock makes
            # the close wait for this transaction or this one see it closed.
            cursor.execute(_sql("vote_status"), [vote.pk])
            if cursor.fetchone()[0] != VoteStatus.OPEN:
                raise ValidationError({"status": _("This vote is not open.")})
            audit.record(
                "meetings.ballot_cast",
                actor=acting_user,
                organization=Organization(pk=org_id, path=org_path),
                object_type="meetings.meeting",
                object_id=str(meeting_id),
                object_repr=meeting_title,
                changes={"vote": [None, vote.pk]}
                if secret
                else {"vote": [None, vote.pk], "choice": [None, choice]},
            )
    except IntegrityError:
        raise ValidationError({"choice": _("You have already voted.")}) from None


def _choices(vote: Vote) -> list:
    model = SecretBallot if vote.secret else OpenBallot
    return list(model.objects.filter(vote=vote).values_list("choice", flat=True))


def tally(vote: Vote) -> dict:
    """The live result: counts, quorum and outcome under the vote's rules."""
    choices = _choices(vote)
    eligible = (
        vote.eligible_count or vote.meeting.participants.filter(may_vote=True).count()
    )
    if vote.kind == VoteKind.YES_NO:
        result = counting.count_motion(
            choices,
            eligible=eligible,
            quorum_percent=vote.quorum_percent,
            rule=vote.majority,
        )
    elif vote.kind == VoteKind.CHOOSE:
        result = counting.count_choice(
            choices,
            [o.pk for o in vote.options.all()],
            seats=vote.seats,
            eligible=eligible,
            quorum_percent=vote.quorum_percent,
            rule=vote.majority,
        )
    else:
        result = counting.count_ranked(
            choices,
            [o.pk for o in vote.options.all()],
            eligible=eligible,
            quorum_percent=vote.quorum_percent,
        )
    result["labels"] = {str(o.pk): o.label for o in vote.options.all()}
    return result


def shown_result(vote: Vote) -> dict:
    """What may be shown of a vote now: the stored result once closed; while
    open, the live count, except that a secret ballot shows only turnout and
    quorum, so nobody watching the screen as one member votes can read that
    member's choice."""
    if vote.status == VoteStatus.CLOSED:
        return vote.result
    result = tally(vote)
    if vote.secret:
        return {
            "cast": result["cast"],
            "eligible": result["eligible"],
            "quorum_met": result["quorum_met"],
            "labels": result["labels"],
            "hidden": True,
        }
    return result


def _shuffle_secret_ballots(vote: Vote) -> None:
    """Rewrite a closed secret vote's ballots in random order with new
    random ids, so not even the physical order of rows (PostgreSQL's heap)
    follows the order of casting."""
    choices = _choices(vote)
    random.SystemRandom().shuffle(choices)
    SecretBallot.objects.filter(vote=vote).delete()
    SecretBallot.objects.bulk_create(SecretBallot(vote=vote, choice=c) for c in choices)


@transaction.atomic
def close_vote(vote: Vote, *, acting_user) -> Vote:
    """Close the vote and store its result."""
    vote = _lock_vote(vote, acting_user)
    if vote.status != VoteStatus.OPEN:
        raise ValidationError({"status": _("Only an open vote can be closed.")})
    if vote.secret:
        _shuffle_secret_ballots(vote)
    vote.status = VoteStatus.CLOSED
    vote.closed_at = timezone.now()
    vote.result = tally(vote)
    vote.save()
    audit.record(
        "meetings.vote_closed",
        obj=vote.meeting,
        actor=acting_user,
        changes={"vote": [None, vote.pk], "result": [None, vote.result]},
    )
    return vote


def has_voted(vote: Vote, participant: Participant | None) -> bool:
    return (
        participant is not None
        and BallotReceipt.objects.filter(vote=vote, participant=participant).exists()
    )


# Minutes and conclusions ------------------------------------------------------


def _outcome_text(vote: Vote, result: dict) -> str:
    labels = result.get("labels", {})
    if not result.get("quorum_met"):
        return _("no quorum")
    if vote.kind == VoteKind.YES_NO:
        return _("adopted") if result.get("passed") else _("not adopted")
    if vote.kind == VoteKind.CHOOSE:
        names = [labels.get(str(o), "?") for o in result.get("elected", [])]
        return _("elected: %(names)s") % {"names": ", ".join(names) or "—"}
    winner = result.get("winner")
    return _("chosen: %(name)s") % {"name": labels.get(str(winner), "—")}


def minutes_text(meeting: Meeting) -> str:
    """The draft minutes: header, attendance, each agenda item with its
    documents, notes, votes and conclusions."""
    local = timezone.localtime(meeting.starts_at)
    summary = attendance_summary(meeting)
    lines = [
        _("MINUTES"),
        meeting.title,
        "",
        _("Organization: %(name)s") % {"name": meeting.organization.name},
        _("Time: %(time)s") % {"time": local.strftime("%H:%M, %d/%m/%Y")},
        _("Place: %(place)s") % {"place": meeting.location or "—"},
        _("Chair: %(name)s") % {"name": meeting.chair or "—"},
        _("Minute taker: %(name)s") % {"name": meeting.secretary or "—"},
        "",
        _(
            "Attendance: %(present)s of %(invited)s present, %(excused)s absent with "
            "reason, %(absent)s absent without reason."
        )
        % summary,
    ]
    absentees = meeting.participants.exclude(
        attendance=Attendance.PRESENT
    ).select_related("person")
    for participant in absentees:
        reason = participant.absence_reason or _("no reason given")
        lines.append(f"  - {participant.person.full_name}: {reason}")
    lines.append("")
    for item in meeting.agenda_items.prefetch_related("documents__document", "votes"):
        lines.append(f"{item.position}. {item.title}")
        for attached in item.documents.all():
            lines.append("   " + _("Document: %(doc)s") % {"doc": attached.document})
        if item.notes:
            lines.extend("   " + line for line in item.notes.splitlines())
        for vote in item.votes.all():
            lines.append(_vote_line(vote))
        lines.append("")
    loose = meeting.votes.filter(item__isnull=True)
    for vote in loose:
        lines.append(_vote_line(vote))
    if meeting.notes:
        lines.extend(["", _("Other notes:"), meeting.notes])
    conclusions = meeting.conclusions.select_related("lead", "authority")
    if conclusions:
        lines.extend(["", _("Conclusions:")])
        for c in conclusions:
            lines.append(
                "  - "
                + _(
                    "%(title)s — lead: %(lead)s; deadline: %(deadline)s; product: "
                    "%(product)s; accepted by: %(authority)s"
                )
                % {
                    "title": c.title,
                    "lead": c.lead,
                    "deadline": c.deadline.strftime("%d/%m/%Y"),
                    "product": c.product,
                    "authority": c.authority,
                }
            )
    return "\n".join(lines).strip() + "\n"


def _vote_line(vote: Vote) -> str:
    result = vote.result if vote.status == VoteStatus.CLOSED else tally(vote)
    kind = _("secret ballot") if vote.secret else _("open vote")
    counts = result.get("counts", {})
    labels = result.get("labels", {})
    if vote.kind == VoteKind.YES_NO:
        detail = _("yes %(yes)s, no %(no)s, abstain %(abstain)s") % counts
    elif vote.kind == VoteKind.CHOOSE:
        detail = ", ".join(f"{labels.get(k, k)} {v}" for k, v in counts.items())
    else:
        detail = _("%(n)s rounds") % {
            "n": len(result.get("runoff", {}).get("rounds", []))
        }
    return "   " + _(
        "Vote (%(kind)s): %(question)s — %(cast)s of %(eligible)s ballots; "
        "%(detail)s; %(outcome)s."
    ) % {
        "kind": kind,
        "question": vote.question,
        "cast": result.get("cast", 0),
        "eligible": result.get("eligible", 0),
        "detail": detail,
        "outcome": _outcome_text(vote, result),
    }


@transaction.atomic
def generate_minutes(meeting: Meeting, *, acting_user) -> Minutes:
    """Draft the minutes in one action (again, while still a draft)."""
    meeting = _locked(meeting, acting_user)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is not None and minutes.status != MinutesStatus.DRAFT:
        raise ValidationError({"status": _("Approved minutes cannot be regenerated.")})
    text = minutes_text(meeting)
    if minutes is None:
        minutes = Minutes.objects.create(meeting=meeting, text=text)
    else:
        minutes.text = text
        minutes.save(update_fields=["text", "updated"])
    audit.record("meetings.minutes_generated", obj=meeting, actor=acting_user)
    return minutes


@transaction.atomic
def update_minutes(minutes: Minutes, *, text: str, acting_user) -> Minutes:
    _locked(minutes.meeting, acting_user)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError({"text": _("Only draft minutes can be edited.")})
    if not text.strip():
        raise ValidationError({"text": _("The minutes cannot be empty.")})
    before = minutes.text
    minutes.text = text
    minutes.save(update_fields=["text", "updated"])
    audit.record(
        "meetings.minutes_edited",
        obj=minutes.meeting,
        actor=acting_user,
        changes={"text": [before, text]},
    )
    return minutes


@transaction.atomic
def approve_minutes(minutes: Minutes, *, acting_user) -> Minutes:
    """The chair approves the draft (after the meeting is closed)."""
    meeting = _locked(minutes.meeting, acting_user)
    _require(acting_user, "meetings.change_minutes", meeting.organization)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError({"status": _("Only draft minutes can be approved.")})
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError(
            {"status": _("Close the meeting before approving its minutes.")}
        )
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_by = _person(acting_user)
    minutes.approved_at = timezone.now()
    minutes.save()
    audit.record("meetings.minutes_approved", obj=meeting, actor=acting_user)
    return minutes


def render_minutes_pdf(minutes: Minutes) -> bytes:
    """The minutes as a PDF (WeasyPrint, the bundled DejaVu fonts)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from hoso.documents.rendering import STATIC_DIR, _url_fetcher

    html = render_to_string(
        "meetings/minutes_pdf.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "lines": minutes.text.splitlines(),
        },
    )
    return HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_url_fetcher()
    ).write_pdf(font_config=FontConfiguration())


def sign_minutes(
    minutes: Minutes, *, acting_user, password: str, otp_token: str = ""
) -> Minutes:
    """The chair signs the approved minutes: the PDF gets their PAdES
    signature (and the organization's seal when it has a seal certificate),
    through the signing app."""
    from hoso.documents import signatures

    signatures.reauthenticate(acting_user, password=password, otp_token=otp_token)
    return _sign_minutes(minutes, acting_user)


@transaction.atomic
def _sign_minutes(minutes: Minutes, acting_user) -> Minutes:
    from hoso.documents import signatures, storage
    from hoso.signing.services import sign_issued_document

    meeting = _locked(minutes.meeting, acting_user)
    minutes = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if not policy.can_sign_minutes(meeting, acting_user):
        raise PermissionDenied
    if minutes.status != MinutesStatus.APPROVED:
        raise ValidationError({"status": _("Only approved minutes can be signed.")})
    certificate = signatures.signer_certificate(acting_user)
    if certificate is None:
        raise ValidationError(
            {
                "certificate": _(
                    "You have no signing certificate. Ask the administrator."
                )
            }
        )
    pdf = render_minutes_pdf(minutes)
    signed = sign_issued_document(
        pdf,
        signer_cert=certificate,
        seal_cert=signatures.seal_certificate(meeting.organization),
        reason=_("Minutes of %(title)s") % {"title": meeting.title},
        location=meeting.location,
        acting_user=acting_user,
    )
    stored = storage.store_file(signed, name=f"bien-ban-{meeting.pk}.pdf")
    minutes.signed_file = stored
    minutes.signed_by = _person(acting_user)
    minutes.signed_at = timezone.now()
    minutes.status = MinutesStatus.SIGNED
    minutes.save()
    audit.record(
        "meetings.minutes_signed",
        obj=meeting,
        actor=acting_user,
        changes={"sha256": [None, stored.sha256]},
    )
    _notify(
        [p.person.user for p in meeting.participants.select_related("person__user")],
        kind="meeting_minutes",
        title=_("Minutes signed: %(title)s") % {"title": meeting.title},
        url=minutes.get_absolute_url(),
    )
    return minutes


@transaction.atomic
def add_conclusion(
    meeting: Meeting,
    *,
    acting_user,
    title: str,
    lead,
    deadline: date,
    product: str,
    authority,
    coordinators: Iterable = (),
    description: str = "",
    item: AgendaItem | None = None,
) -> Conclusion:
    """Record a conclusion with the six clears; it becomes a task right
    away when the operations app is installed."""
    meeting = _locked(meeting, acting_user)
    coordinators = list(coordinators)
    errors = {}
    if not title.strip():
        errors["title"] = _("Say what must be done.")
    if not coordinators:
        errors["coordinators"] = _("Name at least one coordinator.")
    if not product.strip():
        errors["product"] = _("Say what the expected product is.")
    if lead is None:
        errors["lead"] = _("Choose who leads.")
    if authority is None:
        errors["authority"] = _("Choose who accepts the result.")
    if deadline is None:
        errors["deadline"] = _("Give a deadline.")
    elif deadline < timezone.localdate(meeting.starts_at):
        errors["deadline"] = _("The deadline is before the meeting.")
    if errors:
        raise ValidationError(errors)
    conclusion = Conclusion.objects.create(
        meeting=meeting,
        item=item,
        title=title.strip(),
        description=description,
        lead=lead,
        deadline=deadline,
        product=product.strip(),
        authority=authority,
    )
    conclusion.coordinators.set(coordinators)
    audit.record(
        "meetings.conclusion_recorded",
        obj=meeting,
        actor=acting_user,
        changes={"conclusion": [None, conclusion.title]},
    )
    conclusion_to_task(conclusion, acting_user=acting_user)
    return conclusion


def operations_installed() -> bool:
    return apps.is_installed("hoso.operations")


@transaction.atomic
def conclusion_to_task(conclusion: Conclusion, *, acting_user) -> int | None:
    """Turn a recorded conclusion into a task through the operations app,
    when it is installed; otherwise keep the record (None)."""
    if conclusion.task_id is not None or not operations_installed():
        return conclusion.task_id
    from hoso.operations.services import create_task

    meeting = conclusion.meeting
    task = create_task(
        acting_user=acting_user,
        title=conclusion.title,
        # The conclusion's title is its "clear work"; the text is optional.
        description=conclusion.description or conclusion.title,
        lead=conclusion.lead,
        deadline=conclusion.deadline,
        coordinators=list(conclusion.coordinators.all()),
        product=conclusion.product,
        authority=conclusion.authority,
        organization=meeting.organization,
        source_kind="meeting",
        source_id=meeting.pk,
        source_label=str(meeting),
    )
    conclusion.task_id = task.pk
    conclusion.status = ConclusionStatus.TASK_CREATED
    conclusion.save(update_fields=["task_id", "status", "updated"])
    audit.record(
        "meetings.conclusion_task",
        obj=meeting,
        actor=acting_user,
        changes={"conclusion": [None, conclusion.pk], "task": [None, task.pk]},
    )
    return task.pk


# Online conferences: bridges ----------------------------------------------------


@transaction.atomic
def add_bridges(
    meeting: Meeting, organizations: Iterable, *, acting_user
) -> list[Bridge]:
    """One bridge per participating organization (existing ones are kept)."""
    meeting = _locked(meeting, acting_user)
    _refuse_closed(meeting)
    have = set(meeting.bridges.values_list("organization_id", flat=True))
    created = []
    for organization in organizations:
        if organization.pk in have:
            continue
        created.append(
            Bridge.objects.create(meeting=meeting, organization=organization)
        )
    if not meeting.online:
        meeting.online = True
        meeting.save(update_fields=["online", "updated"])
    if created:
        audit.record(
            "meetings.bridges_added",
            obj=meeting,
            actor=acting_user,
            changes={"organizations": [None, [b.organization_id for b in created]]},
        )
    return created


def _bridge_for_operator(bridge: Bridge, user) -> Bridge:
    """The operator of a bridge runs meetings in the bridge's organization
    (or the host runs it for them)."""
    if not (
        permissions.has_permission(user, "meetings.change_bridge", bridge.organization)
        or policy.can_manage(bridge.meeting, user)
    ):
        raise PermissionDenied
    return Bridge.objects.select_for_update().get(pk=bridge.pk)


@transaction.atomic
def bridge_heartbeat(bridge: Bridge, *, acting_user) -> Bridge:
    """The bridge's room page reports it is connected (every few seconds)."""
    bridge = _bridge_for_operator(bridge, acting_user)
    now = timezone.now()
    first = bridge.connected_at is None
    if first:
        bridge.connected_at = now
    bridge.last_seen = now
    bridge.save(update_fields=["connected_at", "last_seen", "updated"])
    if first:
        audit.record(
            "meetings.bridge_connected",
            obj=bridge.meeting,
            actor=acting_user,
            changes={"bridge": [None, bridge.organization_id]},
        )
    return bridge


@transaction.atomic
def count_bridge(bridge: Bridge, *, headcount: int, acting_user) -> Bridge:
    """The bridge's operator reports how many people are present there."""
    bridge = _bridge_for_operator(bridge, acting_user)
    if headcount is None or headcount < 0 or headcount > 100000:
        raise ValidationError({"headcount": _("Give the number of people present.")})
    before = bridge.headcount
    bridge.headcount = headcount
    bridge.counted_at = timezone.now()
    bridge.save(update_fields=["headcount", "counted_at", "updated"])
    audit.record(
        "meetings.bridge_counted",
        obj=bridge.meeting,
        actor=acting_user,
        changes={
            "bridge": [None, bridge.organization_id],
            "headcount": [before, headcount],
        },
    )
    return bridge


def bridges_with_presence(meeting: Meeting):
    """The meeting's bridges, each with `present_count` (its participants
    checked in), counted in the one query."""
    return meeting.bridges.select_related("organization").annotate(
        present_count=Count(
            "participants", filter=Q(participants__attendance=Attendance.PRESENT)
        )
    )


def bridge_is_connected(bridge: Bridge, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bridge.last_seen is not None and now - bridge.last_seen <= BRIDGE_TIMEOUT


@transaction.atomic
def check_in_at_bridge(
    bridge: Bridge, participant: Participant, *, acting_user
) -> Participant:
    """The bridge operator marks a participant present at their bridge."""
    bridge = _bridge_for_operator(bridge, acting_user)
    if participant.meeting_id != bridge.meeting_id:
        raise ValidationError({"participant": _("This person is not invited.")})
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.bridge = bridge
    _mark_present(participant, CheckinMethod.BRIDGE)
    participant.save()
    audit.record(
        "meetings.checked_in",
        obj=bridge.meeting,
        actor=acting_user,
        changes={
            "participant": [None, participant.person_id],
            "bridge": [None, bridge.pk],
        },
    )
    return participant


def upcoming_for_person(person, *, now: datetime | None = None):
    """The person's own meetings from today on."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(participants__person=person)
        .filter(Q(ends_at__gte=now))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("organization")
        .order_by("starts_at")
    )

"""Meeting pages: list, scheduling, the meeting page with its agenda,
documents, attendance, floor and votes, QR check-in, the room screen,
minutes and conference bridges. Thin: every change calls a service."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hoso.core import permissions
from hoso.core.views import ObjectListView
from hoso.meetings import forms, policy, services
from hoso.meetings.choices import MinutesStatus, VoteKind, VoteStatus
from hoso.meetings.filtersets import MeetingFilterSet
from hoso.meetings.models import (
    AgendaItem,
    BallotReceipt,
    Bridge,
    Meeting,
    Minutes,
    Participant,
    SpeakingRequest,
    Vote,
)
from hoso.meetings.tables import MeetingTable


def _meeting(request, pk: int, action: str = "view") -> Meeting:
    return get_object_or_404(
        Meeting.objects.restrict(request.user, action).select_related(
            "organization", "chair", "secretary", "current_item"
        ),
        pk=pk,
    )


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def action_view(view):
    """POST-only meeting action: service errors become messages, the user
    goes back to the meeting page (or to `next`)."""

    @login_required
    @require_POST
    @functools.wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        meeting = _meeting(request, pk)
        try:
            result = view(request, meeting, *args, **kwargs)
        except (Meeting.DoesNotExist, Participant.DoesNotExist):
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, _errors(error))
            result = None
        except PermissionDenied:
            messages.error(request, _("You may not do this here."))
            result = None
        if isinstance(result, HttpResponse):
            return result
        target = request.POST.get("next", "")
        if target.startswith("/") and not target.startswith("//"):
            return redirect(target)
        return redirect(meeting.get_absolute_url())

    return wrapper


def _show_form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# List and scheduling ---------------------------------------------------------


class MeetingListView(ObjectListView):
    model = Meeting
    table_class = MeetingTable
    filterset_class = MeetingFilterSet
    title = gettext_lazy("Meetings")
    template_name = "meetings/meeting_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_add_url(self):
        if permissions.has_permission(self.request.user, "meetings.add_meeting"):
            return reverse("meetings:add")
        return None


@login_required
def meeting_add(request):
    if not permissions.has_permission(request.user, "meetings.add_meeting"):
        raise Http404
    form = forms.MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.schedule_meeting(
                organization=data["organization"],
                kind=data["kind"],
                title=data["title"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                location=data["location"],
                chair=data["chair"],
                online=data["online"],
                acting_user=request.user,
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(
                request, _("The meeting is scheduled and the invitations are sent.")
            )
            return redirect(meeting.get_absolute_url())
    return render(
        request,
        "generic/object_edit.html",
        {"form": form, "title": _("Schedule a meeting")},
    )


@login_required
def series_add(request):
    if not permissions.has_permission(request.user, "meetings.add_meeting"):
        raise Http404
    form = forms.SeriesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _series, created = services.generate_monthly_series(
                organization=data["organization"],
                title=data["title"],
                day_of_month=data["day_of_month"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                first_month=data["first_month"],
                months=data["months"],
                location=data["location"],
                acting_user=request.user,
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(
                request, _("%(n)s meetings scheduled.") % {"n": len(created)}
            )
            return redirect("meetings:list")
    return render(
        request,
        "generic/object_edit.html",
        {"form": form, "title": _("Regular monthly meetings")},
    )


# The meeting page ------------------------------------------------------------


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    user = request.user
    manage = policy.can_manage(meeting, user)
    me = policy.participant_of(meeting, user)
    documents = services.published_documents_for(meeting, user)
    by_item: dict[int, list] = {}
    for attached in documents:
        by_item.setdefault(attached.item_id, []).append(attached)
    items = list(meeting.agenda_items.select_related("presenter"))
    for item in items:
        item.visible_documents = by_item.get(item.pk, [])
    votes = list(meeting.votes.all())
    voted = (
        set(
            BallotReceipt.objects.filter(
                vote__meeting=meeting, participant=me
            ).values_list("vote_id", flat=True)
        )
        if me
        else set()
    )
    for vote in votes:
        vote.i_voted = vote.pk in voted
    context = {
        "meeting": meeting,
        "title": meeting.title,
        "manage": manage,
        "me": me,
        "items": items,
        "participants": meeting.participants.select_related("person", "bridge"),
        "summary": services.attendance_summary(meeting),
        "queue": services.speaking_queue(meeting),
        "votes": votes,
        "bridges": _bridge_rows(meeting),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
        "conclusions": meeting.conclusions.select_related("lead", "authority"),
        "late_documents": any(d.published_late for d in documents if d.published_at),
        "unpublished": meeting.agenda_items.filter(
            documents__published_at__isnull=True
        ).exists(),
        "operations_installed": services.operations_installed(),
    }
    if manage:
        context.update(
            item_form=forms.AgendaItemForm(),
            attach_form=forms.AttachDocumentForm(user=user),
            vote_form=forms.VoteForm(meeting=meeting),
            conclusion_form=forms.ConclusionForm(meeting=meeting),
            bridges_form=forms.BridgesForm(user=user),
            attendance_choices=forms.AttendanceForm.base_fields["attendance"].choices,
        )
    return render(request, "meetings/meeting_detail.html", context)


@action_view
def respond(request, meeting):
    accept = request.POST.get("answer") == "accept"
    services.respond(
        meeting,
        acting_user=request.user,
        accept=accept,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _("Your answer is recorded."))


@action_view
def agenda_add(request, meeting):
    form = forms.AgendaItemForm(request.POST)
    if not form.is_valid():
        return _show_form_errors(request, form)
    services.add_agenda_item(meeting, acting_user=request.user, **form.cleaned_data)
    messages.success(request, _("The agenda item is added."))


@action_view
def agenda_attach(request, meeting, item_id):
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    form = forms.AttachDocumentForm(request.POST, user=request.user)
    if not form.is_valid():
        return _show_form_errors(request, form)
    services.attach_document(
        item, form.cleaned_data["document"], acting_user=request.user
    )
    messages.success(request, _("The document is on the agenda."))


@action_view
def agenda_notes(request, meeting, item_id):
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    services.update_item_notes(
        item, notes=request.POST.get("notes", ""), acting_user=request.user
    )
    messages.success(request, _("The notes are saved."))


@action_view
def publish(request, meeting):
    count, late = services.publish_documents(meeting, acting_user=request.user)
    if late:
        messages.warning(
            request,
            _("%(n)s documents published less than a day before the meeting.")
            % {"n": count},
        )
    else:
        messages.success(
            request, _("%(n)s documents published to the participants.") % {"n": count}
        )


@login_required
def agenda_document(request, pk: int, doc_id: int):
    """A participant reads a published agenda document (the main file, else
    the document's text)."""
    from hoso.documents.downloads import audit_classified_read, file_response

    meeting = _meeting(request, pk)
    attached = get_object_or_404(
        services.published_documents_for(meeting, request.user), pk=doc_id
    )
    document = attached.document
    attachment = (
        document.attachments.filter(is_main=True).first()
        or document.attachments.first()
    )
    if attachment is not None:
        return file_response(document, attachment, request.user, inline=True)
    audit_classified_read(document, request.user, "documents.viewed")
    return render(
        request,
        "meetings/agenda_document.html",
        {"document": document, "meeting": meeting, "title": str(document)},
    )


@action_view
def start(request, meeting):
    services.start_meeting(meeting, acting_user=request.user)
    messages.success(request, _("The meeting has started."))


@action_view
def close(request, meeting):
    services.close_meeting(meeting, acting_user=request.user)
    messages.success(request, _("The meeting is closed."))


@action_view
def current_item(request, meeting):
    item_id = request.POST.get("item")
    item = (
        get_object_or_404(AgendaItem, pk=item_id, meeting=meeting) if item_id else None
    )
    services.set_current_item(meeting, item, acting_user=request.user)


# Attendance -------------------------------------------------------------------


@login_required
def checkin_page(request, pk: int):
    """The secretary's check-in desk: scan (camera or a scanner that types
    the code) or type the code; the list updates as people arrive."""
    meeting = _meeting(request, pk, "change")
    participant = None
    if request.method == "POST":
        try:
            participant = services.check_in_with_token(
                meeting, request.POST.get("token", ""), acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request, _("%(name)s is checked in.") % {"name": participant.person}
            )
        if request.htmx:
            return render(
                request,
                "meetings/_checkin_result.html",
                {
                    "participant": participant,
                    "meeting": meeting,
                    "summary": services.attendance_summary(meeting),
                },
            )
        return redirect("meetings:checkin", pk=meeting.pk)
    return render(
        request,
        "meetings/checkin.html",
        {
            "meeting": meeting,
            "title": _("Check-in"),
            "summary": services.attendance_summary(meeting),
            "participants": meeting.participants.select_related("person"),
        },
    )


@action_view
def attendance(request, meeting, participant_id):
    participant = get_object_or_404(Participant, pk=participant_id, meeting=meeting)
    services.record_attendance(
        participant,
        attendance=request.POST.get("attendance", ""),
        reason=request.POST.get("reason", ""),
        acting_user=request.user,
    )
    messages.success(request, _("Attendance recorded."))


def qr_svg(data: str) -> str:
    """A QR code as inline SVG markup (no script, no external image)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@login_required
def my_qr(request, pk: int):
    """The participant's own check-in QR code."""
    meeting = _meeting(request, pk)
    me = policy.participant_of(meeting, request.user)
    if me is None:
        raise Http404
    token = services.checkin_token(me)
    return render(
        request,
        "meetings/my_qr.html",
        {
            "meeting": meeting,
            "me": me,
            "token": token,
            "svg": qr_svg(token),
            "title": _("My check-in code"),
        },
    )


# The floor ----------------------------------------------------------------------


@action_view
def floor_request(request, meeting):
    services.request_floor(
        meeting, acting_user=request.user, topic=request.POST.get("topic", "")
    )
    messages.success(request, _("You are in the speaking queue."))


@action_view
def floor_next(request, meeting):
    services.advance_floor(meeting, acting_user=request.user)


@action_view
def floor_withdraw(request, meeting, request_id):
    speaking = get_object_or_404(SpeakingRequest, pk=request_id, meeting=meeting)
    services.withdraw_floor(speaking, acting_user=request.user)


# The room screen -----------------------------------------------------------------


def _screen_context(meeting) -> dict:
    vote = meeting.votes.exclude(status=VoteStatus.DRAFT).order_by("-pk").first()
    return {
        "meeting": meeting,
        "summary": services.attendance_summary(meeting),
        "queue": services.speaking_queue(meeting),
        "vote": vote,
        "result": services.shown_result(vote) if vote else None,
        "bridges": _bridge_rows(meeting),
        "now": timezone.localtime(),
    }


@login_required
def screen(request, pk: int):
    """The projector page: its live part is pushed by `screen_events`."""
    meeting = _meeting(request, pk)
    return render(
        request,
        "meetings/screen.html",
        {**_screen_context(meeting), "title": meeting.title},
    )


@login_required
def screen_live(request, pk: int):
    meeting = _meeting(request, pk)
    return render(request, "meetings/_screen_live.html", _screen_context(meeting))


# The room screen's event stream: how often the server looks for a change,
# how long one stream lasts before the browser reconnects (so no worker
# thread is held for ever), and how often an idle stream says it is alive.
SCREEN_POLL_SECONDS = 1.0
SCREEN_STREAM_SECONDS = 55.0
SCREEN_HEARTBEAT_SECONDS = 15.0
_FOOTER = re.compile(r"<footer.*?</footer>", re.S)


def _screen_events(request, pk: int):
    """Server-sent events: the live part of the screen, sent whenever what
    it shows changes (the clock in its footer does not count as a change)."""
    yield "retry: 1000\n\n"
    last = None
    started = quiet_since = time.monotonic()
    while time.monotonic() - started < SCREEN_STREAM_SECONDS:
        meeting = Meeting.objects.restrict(request.user, "view").filter(pk=pk).first()
        if meeting is None:
            yield "event: gone\ndata: \n\n"
            return
        html = render_to_string(
            "meetings/_screen_live.html", _screen_context(meeting), request=request
        )
        digest = hashlib.sha256(_FOOTER.sub("", html).encode()).hexdigest()
        if digest != last:
            last = digest
            quiet_since = time.monotonic()
            yield "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"
        elif time.monotonic() - quiet_since >= SCREEN_HEARTBEAT_SECONDS:
            quiet_since = time.monotonic()
            yield ": alive\n\n"
        time.sleep(SCREEN_POLL_SECONDS)


@login_required
def screen_events(request, pk: int):
    """The stream the projector page listens to (EventSource)."""
    _meeting(request, pk)
    response = StreamingHttpResponse(
        _screen_events(request, pk), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


# Votes -----------------------------------------------------------------------------


@action_view
def vote_add(request, meeting):
    form = forms.VoteForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _show_form_errors(request, form)
    data = form.cleaned_data
    vote = services.create_vote(
        meeting,
        question=data["question"],
        kind=data["kind"],
        secret=data["secret"],
        options=data["options"].splitlines(),
        seats=data["seats"],
        quorum_percent=data["quorum_percent"],
        majority=data["majority"],
        item=data["item"],
        acting_user=request.user,
    )
    messages.success(request, _("The vote is prepared."))
    return redirect(vote.get_absolute_url())


def _vote(meeting, vote_id) -> Vote:
    return get_object_or_404(
        Vote.objects.select_related("meeting"), pk=vote_id, meeting=meeting
    )


@login_required
def vote_detail(request, pk: int, vote_id: int):
    meeting = _meeting(request, pk)
    vote = _vote(meeting, vote_id)
    me = policy.participant_of(meeting, request.user)
    return render(
        request,
        "meetings/vote.html",
        {
            "meeting": meeting,
            "vote": vote,
            "title": vote.question,
            "me": me,
            "voted": services.has_voted(vote, me),
            "manage": policy.can_manage(meeting, request.user),
            "options": vote.options.all(),
            "result": services.shown_result(vote),
            "yes_no": vote.kind == VoteKind.YES_NO,
        },
    )


@login_required
def vote_results(request, pk: int, vote_id: int):
    meeting = _meeting(request, pk)
    vote = _vote(meeting, vote_id)
    result = services.shown_result(vote)
    return render(
        request,
        "meetings/_vote_results.html",
        {"vote": vote, "result": result, "meeting": meeting},
    )


@action_view
def vote_open(request, meeting, vote_id):
    services.open_vote(_vote(meeting, vote_id), acting_user=request.user)
    messages.success(request, _("The vote is open."))
    return redirect("meetings:vote", pk=meeting.pk, vote_id=vote_id)


@action_view
def vote_close(request, meeting, vote_id):
    services.close_vote(_vote(meeting, vote_id), acting_user=request.user)
    messages.success(request, _("The vote is closed."))
    return redirect("meetings:vote", pk=meeting.pk, vote_id=vote_id)


@action_view
def vote_cast(request, meeting, vote_id):
    vote = _vote(meeting, vote_id)
    if vote.kind == VoteKind.YES_NO:
        choice = request.POST.get("choice", "")
    elif vote.kind == VoteKind.CHOOSE:
        try:
            choice = [int(x) for x in request.POST.getlist("choice")]
        except ValueError:
            raise ValidationError({"choice": _("Choose among the options.")}) from None
    else:
        # Ranks: rank_<option id> = 1, 2, …; blank ranks are left out.
        ranks = []
        for option in vote.options.all():
            value = request.POST.get(f"rank_{option.pk}", "").strip()
            if value:
                if not value.isdigit():
                    raise ValidationError({"choice": _("A rank is a whole number.")})
                ranks.append((int(value), option.pk))
        if len({r for r, _o in ranks}) != len(ranks):
            raise ValidationError({"choice": _("Give each option a different rank.")})
        choice = [option for _r, option in sorted(ranks)]
    services.cast_ballot(vote, acting_user=request.user, choice=choice)
    messages.success(request, _("Your ballot is cast."))
    return redirect("meetings:vote", pk=meeting.pk, vote_id=vote_id)


# Minutes and conclusions -------------------------------------------------------------


@login_required
def minutes_page(request, pk: int):
    meeting = _meeting(request, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    manage = policy.can_manage(meeting, request.user)
    # Participants read the minutes once approved; drafts stay with those
    # who run the meeting.
    if not manage and (minutes is None or minutes.status == MinutesStatus.DRAFT):
        raise Http404
    if request.method == "POST":
        if not manage or minutes is None:
            raise Http404
        try:
            services.update_minutes(
                minutes, text=request.POST.get("text", ""), acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("The minutes are saved."))
        return redirect("meetings:minutes", pk=meeting.pk)
    return render(
        request,
        "meetings/minutes.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "manage": manage,
            "can_sign": policy.can_sign_minutes(meeting, request.user),
            "title": _("Minutes"),
        },
    )


@action_view
def minutes_generate(request, meeting):
    services.generate_minutes(meeting, acting_user=request.user)
    messages.success(request, _("The minutes are drafted from the meeting."))
    return redirect("meetings:minutes", pk=meeting.pk)


@action_view
def minutes_approve(request, meeting):
    services.approve_minutes(
        get_object_or_404(Minutes, meeting=meeting), acting_user=request.user
    )
    messages.success(request, _("The minutes are approved."))
    return redirect("meetings:minutes", pk=meeting.pk)


@action_view
def minutes_sign(request, meeting):
    services.sign_minutes(
        get_object_or_404(Minutes, meeting=meeting),
        acting_user=request.user,
        password=request.POST.get("password", ""),
        otp_token=request.POST.get("otp_token", ""),
    )
    messages.success(request, _("The minutes are signed."))
    return redirect("meetings:minutes", pk=meeting.pk)


@login_required
def minutes_pdf(request, pk: int):
    """The signed minutes, or a preview of the current text."""
    from hoso.documents import storage

    meeting = _meeting(request, pk)
    minutes = get_object_or_404(Minutes, meeting=meeting)
    if minutes.signed_file_id:
        data = storage.read_file(minutes.signed_file)
    else:
        if not policy.can_manage(meeting, request.user):
            raise Http404
        data = services.render_minutes_pdf(minutes)
    response = FileResponse(io.BytesIO(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-{meeting.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@action_view
def conclusion_add(request, meeting):
    form = forms.ConclusionForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _show_form_errors(request, form)
    services.add_conclusion(meeting, acting_user=request.user, **form.cleaned_data)
    messages.success(request, _("The conclusion is recorded."))


# Bridges ----------------------------------------------------------------------------


def _bridge_rows(meeting) -> list[dict]:
    now = timezone.now()
    rows = []
    for bridge in services.bridges_with_presence(meeting):
        rows.append(
            {
                "bridge": bridge,
                "connected": services.bridge_is_connected(bridge, now),
                "counted": bridge.headcount is not None,
                "present": bridge.present_count,
            }
        )
    return rows


@action_view
def bridges_add(request, meeting):
    form = forms.BridgesForm(request.POST, user=request.user)
    if not form.is_valid():
        return _show_form_errors(request, form)
    created = services.add_bridges(
        meeting, form.cleaned_data["organizations"], acting_user=request.user
    )
    messages.success(request, _("%(n)s bridges added.") % {"n": len(created)})


@login_required
def bridges_status(request, pk: int):
    meeting = _meeting(request, pk)
    return render(
        request,
        "meetings/_bridges.html",
        {"meeting": meeting, "bridges": _bridge_rows(meeting)},
    )


def _bridge(request, pk, bridge_id) -> Bridge:
    bridge = get_object_or_404(
        Bridge.objects.restrict(request.user, "view").select_related(
            "meeting__organization", "organization"
        ),
        pk=bridge_id,
        meeting_id=pk,
    )
    return bridge


@login_required
def bridge_room(request, pk: int, bridge_id: int):
    """The bridge operator's page: the video link, the heartbeat that tells
    the host this bridge is connected, and the headcount."""
    bridge = _bridge(request, pk, bridge_id)
    if request.method == "POST":
        try:
            headcount = int(request.POST.get("headcount", ""))
        except ValueError:
            messages.error(request, _("Give the number of people present."))
        else:
            try:
                services.count_bridge(
                    bridge, headcount=headcount, acting_user=request.user
                )
            except ValidationError as error:
                messages.error(request, _errors(error))
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("The headcount is reported."))
        return redirect("meetings:bridge", pk=pk, bridge_id=bridge.pk)
    return render(
        request,
        "meetings/bridge.html",
        {"bridge": bridge, "meeting": bridge.meeting, "title": str(bridge)},
    )


@login_required
@require_POST
def bridge_heartbeat(request, pk: int, bridge_id: int):
    bridge = _bridge(request, pk, bridge_id)
    try:
        bridge = services.bridge_heartbeat(bridge, acting_user=request.user)
    except PermissionDenied:
        raise Http404 from None
    return JsonResponse({"connected": True, "last_seen": bridge.last_seen.isoformat()})

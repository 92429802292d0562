"""The member handbook: a phone-first portal (PWA). Every page reads the
member's own data; committee pages (publishing, study sessions, the
feedback inbox) go through `restrict()`."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from hoso.core import permissions
from hoso.handbook import forms, services
from hoso.handbook.choices import LibraryCategory
from hoso.handbook.models import Feedback, LibraryEntry, StudySession
from hoso.meetings import services as meeting_services
from hoso.meetings.models import Meeting

CARD_SALT = "hoso.handbook.card"


def _render(request, template, context):
    return render(request, template, {"handbook": True, **context})


@login_required
def home(request):
    user = request.user
    person = getattr(user, "person", None)
    meetings = list(meeting_services.upcoming_for_person(person)[:3]) if person else []
    from hoso.notifications.services import unread_count

    return _render(
        request,
        "handbook/home.html",
        {
            "title": _("Member handbook"),
            "meetings": meetings,
            "unread": unread_count(user),
            "studies_open": services.studies_for(user)
            .exclude(acknowledgements__person__user=user)
            .count(),
            "is_committee": permissions.has_permission(
                user, "handbook.add_libraryentry"
            ),
        },
    )


@login_required
def profile(request):
    from hoso.accounts.models import Position
    from hoso.meetings.views import qr_svg

    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    member = services.member_record(request.user)
    card = signing.dumps({"person": person.pk}, salt=CARD_SALT)
    return _render(
        request,
        "handbook/profile.html",
        {
            "title": _("My profile and card"),
            "person": person,
            "member": member,
            "members_installed": member is not None,
            "positions": Position.objects.current()
            .filter(person=person)
            .select_related("organization", "role"),
            "card_svg": qr_svg(card),
        },
    )


@login_required
def dues(request):
    member = services.member_record(request.user)
    return _render(
        request, "handbook/dues.html", {"title": _("My dues"), "member": member}
    )


# Meetings --------------------------------------------------------------------


@login_required
def meetings(request):
    person = getattr(request.user, "person", None)
    upcoming = list(meeting_services.upcoming_for_person(person)) if person else []
    return _render(
        request,
        "handbook/meetings.html",
        {"title": _("My meetings"), "meetings": upcoming},
    )


@login_required
def meeting(request, pk: int):
    """A meeting of mine: agenda with published documents, my answer and my
    check-in code."""
    from hoso.meetings import policy
    from hoso.meetings.views import qr_svg

    item = get_object_or_404(Meeting.objects.restrict(request.user, "view"), pk=pk)
    me = policy.participant_of(item, request.user)
    if me is None:
        raise Http404
    documents = meeting_services.published_documents_for(item, request.user)
    token = meeting_services.checkin_token(me)
    return _render(
        request,
        "handbook/meeting.html",
        {
            "title": item.title,
            "meeting": item,
            "me": me,
            "agenda": item.agenda_items.all(),
            "documents": documents,
            "votes": item.votes.exclude(status="draft"),
            "qr": qr_svg(token),
        },
    )


# The library -----------------------------------------------------------------


@login_required
def library(request):
    query = request.GET.get("q", "")
    category = request.GET.get("category", "")
    if category not in LibraryCategory.values:
        category = ""
    bookmarked = request.GET.get("bookmarked") == "1"
    entries = services.library_for(
        request.user, query=query, category=category, bookmarked=bookmarked
    )
    return _render(
        request,
        "handbook/library.html",
        {
            "title": _("Library"),
            "entries": entries,
            "q": query,
            "category": category,
            "bookmarked": bookmarked,
            "categories": LibraryCategory.choices,
            "bookmarks": services.bookmarked_ids(request.user),
        },
    )


def _entry(request, pk) -> LibraryEntry:
    try:
        return services.entry_for(request.user, pk)
    except LibraryEntry.DoesNotExist:
        raise Http404 from None


@login_required
def entry(request, pk: int):
    item = _entry(request, pk)
    document = item.document
    attachment = (
        document.attachments.filter(is_main=True).first()
        or document.attachments.first()
    )
    return _render(
        request,
        "handbook/entry.html",
        {
            "title": item.title,
            "entry": item,
            "document": document,
            "attachment": attachment,
            "bookmarked": item.pk in services.bookmarked_ids(request.user),
        },
    )


@login_required
def entry_file(request, pk: int):
    """The library entry's file (only unclassified documents are in the
    library, so nothing here needs a watermark)."""
    from hoso.documents.downloads import file_response

    item = _entry(request, pk)
    document = item.document
    attachment = (
        document.attachments.filter(is_main=True).first()
        or document.attachments.first()
    )
    if attachment is None or document.secrecy > 0:
        raise Http404
    response = file_response(document, attachment, request.user, inline=True)
    return response


@login_required
@require_POST
def bookmark(request, pk: int):
    item = _entry(request, pk)
    on = services.toggle_bookmark(item, acting_user=request.user)
    messages.success(request, _("Bookmarked.") if on else _("Bookmark removed."))
    return redirect("handbook:entry", pk=item.pk)


@login_required
def publish(request):
    if not permissions.has_permission(request.user, "handbook.add_libraryentry"):
        raise Http404
    form = forms.PublishForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_to_library(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied:
            form.add_error(None, _("You may not do this here."))
        else:
            messages.success(request, _("Published to the members."))
            return redirect("handbook:library")
    return render(
        request,
        "generic/object_edit.html",
        {"form": form, "title": _("Publish to the library")},
    )


# Study sessions --------------------------------------------------------------


@login_required
def studies(request):
    sessions = list(services.studies_for(request.user))
    done = set(
        StudySession.objects.filter(
            acknowledgements__person__user=request.user
        ).values_list("pk", flat=True)
    )
    return _render(
        request,
        "handbook/studies.html",
        {"title": _("Study sessions"), "sessions": sessions, "done": done},
    )


@login_required
def study(request, pk: int):
    try:
        session = services.studies_for(request.user).get(pk=pk)
    except StudySession.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        questions = list(session.questions.all())
        answers = []
        for question in questions:
            value = request.POST.get(f"q{question.pk}", "")
            answers.append(int(value) if value.isdigit() else None)
        try:
            ack = services.acknowledge_study(
                session, acting_user=request.user, answers=answers
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if questions:
                messages.success(
                    request,
                    _("Thank you. %(score)s of %(total)s right.")
                    % {"score": ack.score, "total": len(questions)},
                )
            else:
                messages.success(request, _("Thank you for confirming."))
        return redirect("handbook:study", pk=session.pk)
    ack = session.acknowledgements.filter(person__user=request.user).first()
    return _render(
        request,
        "handbook/study.html",
        {
            "title": session.title,
            "session": session,
            "ack": ack,
            "questions": session.questions.all(),
        },
    )


@login_required
def study_add(request):
    if not permissions.has_permission(request.user, "handbook.add_studysession"):
        raise Http404
    form = forms.StudyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.create_study_session(
                data["entry"],
                organization=data["organization"],
                title=data["title"],
                instructions=data["instructions"],
                due_date=data["due_date"],
                questions=services.parse_questions(data["questions"]),
                acting_user=request.user,
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The study session is open."))
            return redirect(session.get_absolute_url())
    return render(
        request,
        "generic/object_edit.html",
        {"form": form, "title": _("New study session")},
    )


# Feedback --------------------------------------------------------------------


@login_required
def feedback_list(request):
    form = forms.FeedbackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.submit_feedback(
                acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errs in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Your message is sent to the committee."))
            return redirect(item.get_absolute_url())
    mine = Feedback.objects.mine(request.user).select_related("organization")
    inbox = None
    if permissions.has_permission(request.user, "handbook.view_feedback"):
        inbox = (
            Feedback.objects.restrict(request.user, "view")
            .exclude(author__user=request.user)
            .select_related("author", "organization")[:50]
        )
    return _render(
        request,
        "handbook/feedback_list.html",
        {"title": _("Feedback"), "form": form, "mine": mine, "inbox": inbox},
    )


@login_required
def feedback_detail(request, pk: int):
    item = get_object_or_404(
        Feedback.objects.restrict(request.user, "view").select_related(
            "author", "organization"
        ),
        pk=pk,
    )
    if request.method == "POST":
        try:
            if request.POST.get("close"):
                services.close_feedback(item, acting_user=request.user)
            else:
                services.reply_feedback(
                    item, body=request.POST.get("body", ""), acting_user=request.user
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except (PermissionDenied, Feedback.DoesNotExist):
            messages.error(request, _("You may not do this here."))
        return redirect("handbook:feedback-detail", pk=item.pk)
    return _render(
        request,
        "handbook/feedback_detail.html",
        {
            "title": item.subject,
            "feedback": item,
            "replies": item.replies.select_related("author"),
        },
    )


# Notifications ---------------------------------------------------------------


@login_required
def notifications(request):
    from hoso.notifications.models import Notification

    items = Notification.objects.restrict(request.user)[:50]
    return _render(
        request,
        "handbook/notifications.html",
        {"title": _("Notifications"), "items": items},
    )


# The PWA: manifest and service worker at the site root -----------------------


@cache_control(max_age=3600)
def manifest(request):
    """The web app manifest (installable handbook)."""
    data = {
        "name": "Hoso — Sổ tay đảng viên",
        "short_name": "Sổ tay",
        "start_url": reverse("handbook:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#a50e1e",
        "lang": "vi",
        "icons": [
            {
                "src": static("handbook/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": static("handbook/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from the root so its scope covers the
    handbook and the static files it needs offline."""
    from django.template.loader import render_to_string

    body = render_to_string(
        "handbook/sw.js",
        {
            "version": "v1",
            "offline_url": reverse("handbook:offline"),
            "precache": [
                reverse("handbook:offline"),
                static("vendor/bootstrap/bootstrap.min.css"),
                static("vendor/bootstrap-icons/bootstrap-icons.min.css"),
                static("handbook/handbook.css"),
                static("handbook/handbook.js"),
            ],
        },
    )
    response = HttpResponse(body, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request):
    """Shown offline for a page that was never opened."""
    return render(
        request,
        "handbook/offline.html",
        {"title": _("Offline"), "handbook": True, "now": timezone.now()},
    )

"""Member pages: the cell secretary's list, the member page with its
timeline and lifecycle actions, the transfer inbox, the dues sheet, the
rating round, the register, the import, and the member card."""

from __future__ import annotations

import os
import uuid
from datetime import date

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from hoso.core import audit, permissions
from hoso.core.views import ObjectDetailView, ObjectListView
from hoso.members import card, dues, forms, imports, registry, services
from hoso.members import rating as rating_service
from hoso.members import register as member_register
from hoso.members.choices import (
    MemberStatus,
    RatingLevel,
    RatingRoundStatus,
)
from hoso.members.filtersets import MemberFilterSet
from hoso.members.models import Member, RatingRound, Transfer
from hoso.members.tables import MemberTable
from hoso.organizations.choices import Level
from hoso.organizations.models import Organization


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


class MemberListView(ObjectListView):
    """The members on the list in the user's cells (filterable)."""

    model = Member
    table_class = MemberTable
    filterset_class = MemberFilterSet
    title = gettext_lazy("Members")
    template_name = "members/member_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization").defer("photo")

    def get_add_url(self):
        if permissions.has_permission(self.request.user, "members.add_member"):
            return reverse("members:admit")
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_import"] = permissions.has_permission(
            user, "members.import_member"
        )
        return context


# The member page and its actions ---------------------------------------------

ACTIONS = {
    # name: (form class, permission, service call)
    "vote": (forms.VoteForm, "change_member"),
    "transfer": (forms.TransferForm, "transfer_member"),
    "temporary": (forms.TemporaryTransferForm, "transfer_member"),
    "exempt": (forms.DatedReasonForm, "change_member"),
    "end-exemption": (forms.DateForm, "change_member"),
    "remove": (forms.DatedReasonForm, "change_member"),
    "discipline": (forms.DisciplineFormForm, "discipline_member"),
    "death": (forms.DateForm, "change_member"),
}


def available_actions(member: Member, user) -> list[str]:
    """The lifecycle steps that apply to the member and that `user` may take
    (drives the buttons; the services check again)."""
    if not member.is_current:
        return []
    names = []
    for name, (_form, perm) in ACTIONS.items():
        if not permissions.has_permission(user, f"members.{perm}", member.organization):
            continue
        if name == "vote" and member.status != MemberStatus.PROBATIONARY:
            continue
        if name == "exempt" and member.is_exempt:
            continue
        if name == "end-exemption" and not member.is_exempt:
            continue
        names.append(name)
    return names


def _run_action(name: str, member: Member, data: dict, user):
    if name == "vote":
        return services.decide_full_membership(member, acting_user=user, **data)
    if name == "transfer":
        return services.send_transfer(member, acting_user=user, **data)
    if name == "temporary":
        host = data.pop("target")
        return services.start_temporary_transfer(
            member, host=host, acting_user=user, **data
        )
    if name == "exempt":
        return services.exempt_member(
            member, since=data["on"], reason=data["reason"], acting_user=user
        )
    if name == "end-exemption":
        return services.end_exemption(member, on=data["on"], acting_user=user)
    if name == "remove":
        return services.remove_member(
            member, on=data["on"], reason=data["reason"], acting_user=user
        )
    if name == "discipline":
        return services.discipline_member(member, acting_user=user, **data)
    if name == "death":
        return services.record_death(member, died_on=data["on"], acting_user=user)
    raise Http404


ACTION_LABELS = {
    "vote": gettext_lazy("Vote on full membership"),
    "transfer": gettext_lazy("Official transfer"),
    "temporary": gettext_lazy("Temporary transfer"),
    "exempt": gettext_lazy("Exempt from activities"),
    "end-exemption": gettext_lazy("End the exemption"),
    "remove": gettext_lazy("Remove from the list"),
    "discipline": gettext_lazy("Discipline"),
    "death": gettext_lazy("Record death"),
}


def member_context(request, member: Member, bound: dict | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    names = available_actions(member, user)
    action_forms = []
    for name in names:
        form = (bound or {}).get(name)
        if form is None:
            initial = {"on": today, "decided_on": today, "sent_on": today}
            if name == "vote":
                initial = {"voted_on": max(member.probation_ends or today, today)}
            if name == "temporary":
                initial = {"starts_on": today}
            form = ACTIONS[name][0](user=user, initial=initial, prefix=name)
        action_forms.append(
            {
                "name": name,
                "label": ACTION_LABELS[name],
                "form": form,
                "open": name in (bound or {}),
            }
        )
    sensitive = permissions.has_permission(
        user, "members.view_sensitive_member", member.organization
    )
    return {
        "object": member,
        "member": member,
        "title": member.full_name,
        "sensitive": sensitive,
        "events": member.events.select_related("organization").order_by("on", "id"),
        "introductions": member.introductions.all(),
        "transfers": member.transfers.select_related("origin", "target")[:20],
        "disciplines": member.disciplines.all(),
        "action_forms": action_forms,
        "can_change": permissions.has_permission(
            user, "members.change_member", member.organization
        ),
        "checks": member.citizen_checks.all()[:5] if sensitive else [],
        "arrears": dues.arrears(member, today) if member.is_current else None,
        "amount_due": dues.amount_due(member, today),
        "card_token": card.card_token(member) if member.card_version else "",
    }


class MemberDetailView(ObjectDetailView):
    model = Member
    template_name = "members/member_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(member_context(self.request, self.object))
        return context


class MemberActionView(LoginRequiredMixin, View):
    """POST a lifecycle step; errors come back on the member page."""

    def post(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        member = get_object_or_404(
            Member.objects.restrict(request.user, "view").select_related(
                "organization"
            ),
            pk=pk,
        )
        form = ACTIONS[action][0](request.POST, user=request.user, prefix=action)
        if form.is_valid():
            try:
                _run_action(action, member, dict(form.cleaned_data), request.user)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errs in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, exc.messages)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                messages.success(request, _("Saved."))
                return redirect(member.get_absolute_url())
        member.refresh_from_db()
        return render(
            request,
            "members/member_detail.html",
            member_context(request, member, {action: form}),
            status=422,
        )


class AdmitView(LoginRequiredMixin, View):
    template_name = "members/member_form.html"

    def get(self, request):
        if not permissions.has_permission(request.user, "members.add_member"):
            raise Http404
        return self.show(forms.AdmitForm(user=request.user))

    def show(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "title": _("Admit a member")},
            status=status,
        )

    def post(self, request):
        form = forms.AdmitForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            organization = data.pop("organization")
            introducers = list(data.pop("introducers"))
            admitted_on = data.pop("admitted_on")
            data.pop("notes", None)
            try:
                member = services.admit_member(
                    organization=organization,
                    admitted_on=admitted_on,
                    introducers=introducers,
                    acting_user=request.user,
                    **data,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                messages.success(request, _("The member was admitted."))
                return redirect(member.get_absolute_url())
        return self.show(form, status=422)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


class ProfileEditView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.member = get_object_or_404(
                Member.objects.restrict(request.user, "change").select_related(
                    "organization"
                ),
                pk=kwargs["pk"],
            )
            self.sensitive = permissions.has_permission(
                request.user, "members.view_sensitive_member", self.member.organization
            )
        return super().dispatch(request, *args, **kwargs)

    def show(self, form, status=200):
        return render(
            self.request,
            "members/member_form.html",
            {
                "form": form,
                "object": self.member,
                "title": _("Edit %(name)s") % {"name": self.member},
                "photo_form": forms.PhotoForm(user=self.request.user),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.show(
            forms.ProfileForm(
                user=request.user, instance=self.member, sensitive=self.sensitive
            )
        )

    def post(self, request, pk):
        form = forms.ProfileForm(
            request.POST,
            user=request.user,
            instance=self.member,
            sensitive=self.sensitive,
        )
        if form.is_valid():
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in form.fields
            }
            try:
                services.update_profile(
                    self.member, acting_user=request.user, **changes
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You may not do this here."))
            else:
                messages.success(request, _("Saved."))
                return redirect(self.member.get_absolute_url())
        return self.show(form, status=422)


class PhotoView(LoginRequiredMixin, View):
    """The member's photo (GET, within scope) and a new photo (POST)."""

    def get(self, request, pk):
        member = get_object_or_404(Member.objects.restrict(request.user, "view"), pk=pk)
        if member.photo is None:
            raise Http404
        return _photo_response(member)

    def post(self, request, pk):
        member = get_object_or_404(
            Member.objects.restrict(request.user, "change"), pk=pk
        )
        form = forms.PhotoForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["photo"]
            if upload.size > services.PHOTO_MAX_BYTES:
                messages.error(request, _("The photo is larger than 512 KB."))
            else:
                try:
                    services.set_photo(member, upload.read(), acting_user=request.user)
                    messages.success(request, _("Saved."))
                except ValidationError as exc:
                    messages.error(request, " ".join(_errors(exc)))
        else:
            messages.error(request, _("Choose a photo."))
        return redirect(member.get_absolute_url())


def _photo_response(member: Member) -> HttpResponse:
    response = HttpResponse(bytes(member.photo), content_type=member.photo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


class CitizenCheckView(LoginRequiredMixin, View):
    def post(self, request, pk):
        member = get_object_or_404(
            Member.objects.restrict(request.user, "view").select_related(
                "organization"
            ),
            pk=pk,
        )
        try:
            registry.request_check(member, acting_user=request.user)
            messages.info(
                request, _("The check is queued; its result will appear here.")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        except PermissionDenied:
            raise Http404 from None
        return redirect(member.get_absolute_url())


# Transfers -------------------------------------------------------------------


class TransferInboxView(LoginRequiredMixin, View):
    """Transfers arriving in the user's organizations (to receive) and those
    they sent (to follow)."""

    def get(self, request):
        user = request.user
        visible = Transfer.objects.restrict(user, "view").select_related(
            "member", "origin", "target"
        )
        paths = (
            None
            if user.is_superuser
            else permissions.scope_paths(user, "members.view_transfer") or []
        )
        incoming = visible.inbox(paths).order_by("present_deadline", "id")
        sent = visible.open().exclude(pk__in=incoming.values("pk"))
        return render(
            request,
            "members/transfer_inbox.html",
            {
                "title": _("Transfer inbox"),
                "incoming": incoming,
                "sent": sent,
                "today": timezone.localdate(),
                "receive_form": forms.ReceiveForm(
                    user=user, initial={"received_on": timezone.localdate()}
                ),
            },
        )


class TransferActionView(LoginRequiredMixin, View):
    def post(self, request, pk, action):
        transfer = get_object_or_404(
            Transfer.objects.restrict(request.user, "view"), pk=pk
        )
        try:
            if action == "receive":
                form = forms.ReceiveForm(request.POST, user=request.user)
                if not form.is_valid():
                    raise ValidationError(
                        [e for errs in form.errors.values() for e in errs]
                    )
                services.receive_transfer(
                    transfer, acting_user=request.user, **form.cleaned_data
                )
            elif action == "cancel":
                services.cancel_transfer(
                    transfer,
                    acting_user=request.user,
                    reason=request.POST.get("reason", ""),
                )
            elif action == "end":
                services.end_temporary_transfer(
                    transfer, ended_on=timezone.localdate(), acting_user=request.user
                )
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        except PermissionDenied:
            messages.error(request, _("You may not do this here."))
        else:
            messages.success(request, _("Saved."))
        return redirect("members:transfers")


# Dues ------------------------------------------------------------------------


def _month(text: str | None) -> date:
    try:
        year, month = (int(x) for x in (text or "").split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        return timezone.localdate().replace(day=1)


class DuesSheetView(LoginRequiredMixin, View):
    """A cell's monthly dues sheet; tick members and record their dues."""

    def units(self):
        return forms.member_units(self.request.user, "members.view_member").order_by(
            "path"
        )

    def get(self, request):
        units = self.units()
        org_id = request.GET.get("organization")
        organization = get_object_or_404(units, pk=org_id) if org_id else units.first()
        month = _month(request.GET.get("month"))
        sheet = (
            dues.dues_sheet(organization, month, user=request.user)
            if organization
            else None
        )
        return render(
            request,
            "members/dues_sheet.html",
            {
                "title": _("Dues sheet"),
                "units": units,
                "organization": organization,
                "month": month,
                "sheet": sheet,
                "today": timezone.localdate(),
                "can_record": organization is not None
                and permissions.has_permission(
                    request.user, "members.add_duespayment", organization
                ),
            },
        )

    def post(self, request):
        organization = get_object_or_404(
            self.units(), pk=request.POST.get("organization")
        )
        month = _month(request.POST.get("month"))
        ids = [int(x) for x in request.POST.getlist("member") if x.isdigit()]
        try:
            paid_on = date.fromisoformat(request.POST.get("paid_on", ""))
        except ValueError:
            paid_on = timezone.localdate()
        if not ids:
            messages.error(request, _("Tick the members who paid."))
        else:
            try:
                payments = dues.record_sheet_payments(
                    organization,
                    month=month,
                    member_ids=ids,
                    paid_on=paid_on,
                    acting_user=request.user,
                )
                messages.success(
                    request,
                    _("Recorded the dues of %(count)d members.")
                    % {"count": len(payments)},
                )
            except ValidationError as exc:
                messages.error(request, " ".join(_errors(exc)))
            except PermissionDenied:
                messages.error(request, _("You may not do this here."))
        return redirect(
            f"{reverse('members:dues')}?organization={organization.pk}"
            f"&month={month:%Y-%m}"
        )


# Rating ----------------------------------------------------------------------


class RatingRoundListView(LoginRequiredMixin, View):
    def get(self, request):
        rounds = RatingRound.objects.restrict(request.user, "view").select_related(
            "organization"
        )
        grassroots = (
            permissions.organizations_with(request.user, "members.add_ratinground")
            .filter(level=Level.GRASSROOTS)
            .order_by("path")
        )
        return render(
            request,
            "members/rating_rounds.html",
            {
                "title": _("Annual rating"),
                "rounds": rounds,
                "grassroots": grassroots,
                "year": timezone.localdate().year,
            },
        )

    def post(self, request):
        organization = get_object_or_404(
            Organization.objects.restrict(request.user, "view"),
            pk=request.POST.get("organization"),
        )
        try:
            year = int(request.POST.get("year", ""))
            rnd = rating_service.open_round(
                organization, year=year, acting_user=request.user
            )
        except (ValueError, ValidationError, PermissionDenied) as exc:
            messages.error(
                request,
                " ".join(_errors(exc))
                if isinstance(exc, ValidationError)
                else _("You may not do this here.")
                if isinstance(exc, PermissionDenied)
                else _("Enter a year."),
            )
            return redirect("members:rating-rounds")
        return redirect(rnd.get_absolute_url())


class RatingRoundView(LoginRequiredMixin, View):
    def get_round(self, request, pk):
        return get_object_or_404(
            RatingRound.objects.restrict(request.user, "view").select_related(
                "organization"
            ),
            pk=pk,
        )

    def get(self, request, pk):
        rnd = self.get_round(request, pk)
        ratings = list(rnd.ratings.select_related("member__organization"))
        proposed = [r.final_level or r.cell_level for r in ratings]
        task_results = None
        if apps.is_installed("hoso.operations"):
            # The year's task results of each member who signs in (the
            # operations centre's evaluation input).
            from hoso.operations.services import task_results_by_lead

            by_person = task_results_by_lead(
                [r.member.person_id for r in ratings if r.member.person_id],
                start=date(rnd.year, 1, 1),
                end=date(rnd.year, 12, 31),
            )
            for rating in ratings:
                rating.task_results = by_person.get(rating.member.person_id)
            task_results = True
        return render(
            request,
            "members/rating_round.html",
            {
                "title": str(rnd),
                "round": rnd,
                "ratings": ratings,
                "task_results": task_results,
                "levels": RatingLevel.choices,
                "cap": rating_service.check_cap(proposed),
                "Status": RatingRoundStatus,
                "can_manage": permissions.has_permission(
                    request.user, "members.change_ratinground", rnd.organization
                ),
            },
        )

    def post(self, request, pk):
        rnd = self.get_round(request, pk)
        step = request.POST.get("step")
        try:
            if step == "advance":
                rating_service.advance_round(rnd, acting_user=request.user)
            elif step == "decide":
                rating_service.decide_round(
                    rnd, decided_on=timezone.localdate(), acting_user=request.user
                )
            elif step in ("self", "cell"):
                rating = get_object_or_404(rnd.ratings, pk=request.POST.get("rating"))
                level = request.POST.get("level", "")
                if step == "self":
                    rating_service.self_assess(
                        rating, level=level, acting_user=request.user
                    )
                else:
                    rating_service.cell_review(
                        rating, level=level, acting_user=request.user
                    )
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
        except PermissionDenied:
            messages.error(request, _("You may not do this here."))
        else:
            messages.success(request, _("Saved."))
        return redirect(rnd.get_absolute_url())


# Register --------------------------------------------------------------------

REGISTER_PAGE_ROWS = 500


class RegisterView(LoginRequiredMixin, View):
    """The 7-HSĐV register of an organization, with XLSX/PDF export."""

    def get(self, request):
        orgs = permissions.organizations_with(request.user, "members.view_member")
        org_id = request.GET.get("organization")
        organization = (
            get_object_or_404(orgs, pk=org_id)
            if org_id
            else orgs.order_by("depth", "path").first()
        )
        fmt = request.GET.get("format")
        if organization is not None and fmt in ("xlsx", "pdf"):
            try:
                return member_register.export_register(
                    organization, fmt, user=request.user
                )
            except PermissionDenied:
                raise Http404 from None
        rows = (
            list(
                member_register.register_rows(
                    organization, user=request.user, limit=REGISTER_PAGE_ROWS
                )
            )
            if organization
            else []
        )
        counts = services.member_counts(organization) if organization else {}
        children = (
            orgs.filter(parent=organization).order_by("name") if organization else []
        )
        return render(
            request,
            "members/register.html",
            {
                "title": _("Member register (7-HSĐV)"),
                "organization": organization,
                "organizations": orgs.order_by("path")[:500],
                "headers": [c.header for c in member_register.COLUMNS],
                "rows": rows,
                "limit": REGISTER_PAGE_ROWS,
                "total": counts.get(organization.pk, 0) if organization else 0,
                "children": [(c, counts.get(c.pk, 0)) for c in children],
                "can_export": organization is not None
                and permissions.has_permission(
                    request.user, "members.export_member", organization
                ),
            },
        )


# Import ----------------------------------------------------------------------

IMPORT_SALT = "hoso.members.import"


def _import_dir():
    path = settings.DATA_DIR / "members-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class ImportView(LoginRequiredMixin, View):
    """Upload → dry run (every bad row listed) → commit (all or nothing)."""

    def get(self, request):
        if not permissions.has_permission(request.user, "members.import_member"):
            raise Http404
        return self.show(forms.ImportForm(user=request.user))

    def show(self, form, report=None, token="", status=200):
        return render(
            self.request,
            "members/import.html",
            {
                "title": _("Import members"),
                "form": form,
                "report": report,
                "token": token,
                "columns": imports.COLUMNS,
            },
            status=status,
        )

    def post(self, request):
        if "token" in request.POST:
            return self.commit(request)
        form = forms.ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.show(form, status=422)
        upload = form.cleaned_data["file"]
        name = uuid.uuid4().hex
        path = _import_dir() / name
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        organization = form.cleaned_data["organization"]
        try:
            # In a web request: no worker processes (forking a threaded
            # server process is unsafe).
            report = imports.run_import(
                str(path),
                organization,
                acting_user=request.user,
                commit=False,
                workers=1,
            )
        except ValidationError as exc:
            os.unlink(path)
            _form_errors(form, exc)
            return self.show(form, status=422)
        if not report.ok:
            os.unlink(path)
            return self.show(form, report=report, status=422)
        token = signing.dumps(
            {"file": name, "org": organization.pk, "user": request.user.pk},
            salt=IMPORT_SALT,
        )
        return self.show(form, report=report, token=token)

    def commit(self, request):
        try:
            data = signing.loads(request.POST["token"], salt=IMPORT_SALT, max_age=3600)
        except signing.BadSignature:
            raise Http404 from None
        if data["user"] != request.user.pk:
            raise Http404
        path = _import_dir() / os.path.basename(data["file"])
        if not path.exists():
            messages.error(
                request, _("The uploaded file has expired; upload it again.")
            )
            return redirect("members:import")
        organization = get_object_or_404(
            Organization.objects.restrict(request.user, "view"), pk=data["org"]
        )
        try:
            report = imports.run_import(
                str(path),
                organization,
                acting_user=request.user,
                commit=True,
                workers=1,
            )
        finally:
            os.unlink(path)
        if report.committed or report.ok:
            messages.success(
                request,
                _(
                    "Imported: %(new)d new, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "new": report.new,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            return redirect(f"{reverse('members:list')}?organization={organization.pk}")
        return self.show(forms.ImportForm(user=request.user), report=report, status=422)


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request):
        if request.GET.get("format") == "csv":
            response = HttpResponse(imports.template_csv(), content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="members.csv"'
            return response
        response = HttpResponse(
            imports.template_xlsx(),
            content_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
        )
        response["Content-Disposition"] = 'attachment; filename="members.xlsx"'
        return response


# Card ------------------------------------------------------------------------


class CardView(LoginRequiredMixin, View):
    """The printable card (and issuing it)."""

    def get(self, request, pk):
        member = get_object_or_404(
            Member.objects.restrict(request.user, "view").select_related(
                "organization"
            ),
            pk=pk,
        )
        token = card.card_token(member) if member.card_version else ""
        url = (
            request.build_absolute_uri(reverse("members:verify", args=[token]))
            if token
            else ""
        )
        audit.record(
            "members.card_viewed",
            obj=member,
            actor=request.user,
            changes={"card_version": [None, member.card_version]},
        )
        return render(
            request,
            "members/card.html",
            {
                "title": _("Member card"),
                "member": member,
                "qr": card.qr_svg(url) if url else "",
                "verify_url": url,
            },
        )

    def post(self, request, pk):
        member = get_object_or_404(
            Member.objects.restrict(request.user, "change"), pk=pk
        )
        try:
            card.issue_card(member, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
            return redirect(member.get_absolute_url())
        return redirect("members:card", pk=member.pk)


class VerifyCardView(View):
    """Public: only name, photo, cell and validity."""

    def get(self, request, token):
        check = card.verify_token(token)
        return render(
            request,
            "members/verify.html",
            {"check": check, "token": token, "title": _("Member card check")},
            status=200 if check.member else 404,
        )


class VerifyPhotoView(View):
    def get(self, request, token):
        check = card.verify_token(token)
        if check.member is None or check.member.photo is None:
            raise Http404
        return _photo_response(check.member)

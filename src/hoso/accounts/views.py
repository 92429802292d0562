"""Sign-in, second factor, position choice, people pages and API tokens."""

from __future__ import annotations

import base64
from io import BytesIO
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from hoso.accounts import services
from hoso.accounts.filtersets import PersonFilterSet
from hoso.accounts.forms import (
    ApiTokenForm,
    PersonCreateForm,
    PersonEditForm,
    PositionForm,
    SignInForm,
    TokenForm,
)
from hoso.accounts.models import ApiToken, Person, Position
from hoso.accounts.tables import PersonTable
from hoso.core import permissions
from hoso.core.views import ObjectDetailView, ObjectEditView, ObjectListView


class SignInView(auth_views.LoginView):
    """Password step; cleared users continue to the TOTP step."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        step = services.second_factor_step(self.request.user)
        url = super().get_success_url()
        if step:
            return f"{step}?next={quote(url)}"
        return url


class SignOutView(auth_views.LogoutView):
    pass


def _safe_next(request, default="/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@login_required
def otp_verify(request):
    """Enter the code of an enrolled device."""
    if not services.has_confirmed_device(request.user):
        return redirect("accounts:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("The code is not valid. Try the next one."))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)}
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def otp_setup(request):
    """Enrol an authenticator app (required for users with a clearance)."""
    if services.has_confirmed_device(request.user) and not request.user.is_verified():
        return redirect("accounts:otp-verify")
    device = services.start_totp_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp_enrolment(
                request.user, form.cleaned_data["token"]
            )
        except ValidationError as exc:
            form.add_error("token", exc.message_dict["token"])
        else:
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is now on."))
            return redirect(_safe_next(request))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": _qr_svg(device.config_url),
            "secret": secret,
            "next": _safe_next(request),
        },
    )


@login_required
@require_POST
def choose_position(request):
    """Switch the position the user acts in."""
    try:
        position = services.choose_position(
            request, int(request.POST.get("position", 0))
        )
    except (ValueError, ValidationError):
        messages.error(request, _("This is not one of your positions."))
    else:
        messages.success(
            request, _("You now act as %(position)s.") % {"position": position}
        )
    return redirect(_safe_next(request))


class PersonListView(ObjectListView):
    model = Person
    table_class = PersonTable
    filterset_class = PersonFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("user")

    def get_add_url(self):
        if permissions.has_permission(self.request.user, "accounts.add_person"):
            return reverse("accounts:person-add")
        return None


class PersonDetailView(ObjectDetailView):
    model = Person
    template_name = "accounts/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["positions"] = (
            Position.objects.restrict(user, "view")
            .filter(person=self.object)
            .select_related("organization", "role")
        )
        context["changeable_positions"] = set(
            Position.objects.restrict(user, "change")
            .filter(person=self.object)
            .values_list("pk", flat=True)
        )
        context["can_change"] = (
            Person.objects.restrict(user, "change").filter(pk=self.object.pk).exists()
        )
        if permissions.has_permission(user, "accounts.add_position"):
            context["position_form"] = PositionForm(
                user=user, initial={"start_date": timezone.localdate()}
            )
        return context


class PersonEditView(ObjectEditView):
    """Create a person with a first position, or edit a person's record."""

    model = Person

    def get_form_class(self):
        return PersonEditForm if self.object else PersonCreateForm

    def get_initial(self):
        initial = super().get_initial()
        if self.object is None and "organization" in self.request.GET:
            initial["organization"] = self.request.GET["organization"]
        return initial

    def save(self, form):
        data = dict(form.cleaned_data)
        if self.object is not None:
            data["citizen_id"] = data.get("citizen_id") or None
            return services.update_person(
                self.object, acting_user=self.request.user, **data
            )
        data["citizen_id"] = data.get("citizen_id") or None
        return services.create_person(acting_user=self.request.user, **data)


@login_required
@require_POST
def assign_position(request, pk):
    """Add a position to a person in the user's scope."""
    person = get_object_or_404(Person.objects.restrict(request.user, "view"), pk=pk)
    form = PositionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.assign_position(
                person=person, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            messages.error(request, _("You may not do this here."))
        else:
            messages.success(request, _("The position was added."))
    else:
        messages.error(
            request, " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
    return redirect(person.get_absolute_url())


@login_required
@require_POST
def end_position(request, pk):
    """Close a position today."""
    position = get_object_or_404(
        Position.objects.restrict(request.user, "change").select_related("person"),
        pk=pk,
    )
    services.end_position(position, acting_user=request.user)
    messages.success(request, _("The position was closed."))
    return redirect(position.person.get_absolute_url())


@login_required
def tokens(request):
    """The user's API tokens: create (plaintext shown once) and revoke."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created = services.create_token(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_days=form.cleaned_data["expires_days"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=request.user),
            "title": _("API tokens"),
        },
    )


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(token, acting_user=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")

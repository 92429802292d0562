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
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from hoso.accounts import services
from hoso.accounts.filtersets import PersonFilterSet
from hoso.accounts.forms import ApiTokenForm, SignInForm, TokenForm
from hoso.accounts.models import ApiToken, Person, Position
from hoso.accounts.tables import PersonTable
from hoso.core.views import ObjectDetailView, ObjectListView


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


class PersonDetailView(ObjectDetailView):
    model = Person
    template_name = "accounts/person_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["positions"] = (
            Position.objects.restrict(self.request.user, "view")
            .filter(person=self.object)
            .select_related("organization", "role")
        )
        return context


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

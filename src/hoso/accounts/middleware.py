"""Second factor enforcement."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hoso.accounts import services

# Paths a signed-in but not yet verified user may still reach.
_OPEN_PREFIXES = (
    "/accounts/login",
    "/accounts/logout",
    "/accounts/otp",
    "/static/",
    "/i18n/",
    "/favicon",
)


class SecondFactorRequiredMiddleware:
    """Hold cleared users (and anyone who enrolled a device) at the TOTP step.

    A user with a clearance must enrol a TOTP device; a user with a confirmed
    device must enter a code after the password. Until then every page
    redirects to that step and the API answers 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
        ):
            step = services.second_factor_step(user)
            if step is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": _("A second factor is required.")}, status=403
                    )
                return redirect(step)
        return self.get_response(request)

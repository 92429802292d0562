"""Request-scoped context for services (client address, acting user), the
default language, and the shorter middleware chain of API token calls."""

import threading

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.http import HttpResponse

from hoso.core.audit import current_request


class ClientAddressMiddleware:
    """Expose the current request to the audit service through a context var,
    so services record the client address without threading it through every
    call."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class DefaultLanguageMiddleware:
    """Vietnamese first: unless configured otherwise, the browser's
    Accept-Language is ignored, so a user sees Vietnamese until they pick
    another language (kept in the language cookie)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.honor_browser = settings.HONOR_BROWSER_LANGUAGE

    def __call__(self, request):
        if not self.honor_browser:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# The API token fast path ------------------------------------------------------

API_PREFIX = "/api/"
# The terminal handler seen by ApiTokenFastPathEnd, handed to
# ApiTokenFastPathMiddleware: Django builds a middleware chain from the last
# entry to the first, in one thread.
_chain_end = threading.local()


def is_api_token_request(request) -> bool:
    """A call of the API that carries `Authorization: Bearer …`."""
    return request.path_info.startswith(API_PREFIX) and request.META.get(
        "HTTP_AUTHORIZATION", ""
    ).startswith("Bearer ")


class ApiTokenFastPathMiddleware:
    """Send API calls that carry a bearer token through a shorter chain.

    First in `MIDDLEWARE`, with `ApiTokenFastPathEnd` last. Such a call is
    authenticated by its token alone, so the browser's machinery has nothing
    to do: no session to load or save, no session user (and so no second
    factor step, which the token's owner passed when creating the token), no
    messages, no htmx, no sign-in lockout. Those middleware cost about 0.4 ms
    of CPU on every call of the list API, which SPEC §3 wants at 300
    requests/s on 2 cores. The call goes through
    `settings.API_TOKEN_MIDDLEWARE` instead (security headers, language,
    host check, CSRF bookkeeping, clickjacking and CSP headers, client
    address), then the same view handling as any request.

    Cookies are ignored on this path: `request.user` is anonymous until the
    token authenticates, and `request.session` is an empty session that is
    never saved. A wrong token is answered 401 even if a signed-in session
    comes with it.
    """

    def __init__(self, get_response):
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
        from django.core.handlers.exception import convert_exception_to_response
        from django.utils.module_loading import import_string

        self.get_response = get_response
        handler = getattr(_chain_end, "handler", None)
        _chain_end.handler = None
        if handler is None:
            raise ImproperlyConfigured(
                "ApiTokenFastPathMiddleware needs ApiTokenFastPathEnd last in "
                "MIDDLEWARE."
            )
        for path in reversed(settings.API_TOKEN_MIDDLEWARE):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            handler = convert_exception_to_response(middleware)
        self.fast_path = handler
        self.session_store = import_string(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        if not is_api_token_request(request):
            return self.get_response(request)
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        request.session = self.session_store()
        return self.fast_path(request)


class ApiTokenFastPathEnd:
    """Last in `MIDDLEWARE`: passes the view handling on to
    `ApiTokenFastPathMiddleware`, which builds its shorter chain around it."""

    def __init__(self, get_response):
        self.get_response = get_response
        _chain_end.handler = get_response

    def __call__(self, request):
        return self.get_response(request)


class ApiTokenCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy header written once.

    django-csp builds the header from the settings on every response (about
    0.2 ms of CPU). An API answer never changes its policy (no nonce, no
    per-view decorator), so the header built for the current settings is
    kept; anything else goes the usual way.
    """

    _PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )

    def __init__(self, get_response):
        super().__init__(get_response)
        self._built = None  # (policy setting, report-only setting, headers)

    def process_response(self, request, response):
        from django.conf import settings

        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._PER_RESPONSE)
            or any(
                (setting or {}).get("EXCLUDE_URL_PREFIXES")
                for setting in (policy, report_only)
            )
        ):
            return super().process_response(request, response)
        built = self._built
        if built is None or built[0] is not policy or built[1] is not report_only:
            # The settings objects are kept, so `is` cannot match a new one.
            probe = HttpResponse()
            super().process_response(request, probe)
            headers = {
                name: probe[name]
                for name in (HEADER, HEADER_REPORT_ONLY)
                if name in probe
            }
            built = self._built = (policy, report_only, headers)
        for name, value in built[2].items():
            if name not in response:
                response[name] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

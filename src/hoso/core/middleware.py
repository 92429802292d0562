"""Request-scoped context for services (client address, acting user)."""

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

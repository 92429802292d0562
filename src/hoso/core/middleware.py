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

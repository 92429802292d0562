"""The REST API under /api/v1/: one router per app."""

from ninja import NinjaAPI

from hoso.core.api import TokenAuth, VerifiedSessionAuth, install_error_handlers

api = NinjaAPI(
    title="Hoso API",
    version="1",
    description=(
        "REST API of Hoso. Authenticate with the browser session or with a "
        "personal token: `Authorization: Bearer hoso_…`. Errors are JSON: "
        '`{"detail": [{"field": …, "message": …}]}`.'
    ),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("/", "hoso.core.api.router")
api.add_router("/", "hoso.organizations.api.router")
api.add_router("/", "hoso.accounts.api.router")
api.add_router("/", "hoso.documents.api.router")
api.add_router("/", "hoso.search.api.router")
api.add_router("/", "hoso.digitization.api.router")
api.add_router("/", "hoso.archive.api.router")
api.add_router("/", "hoso.notifications.api.router")
api.add_router("/", "hoso.operations.api.router")
api.add_router("/", "hoso.meetings.api.router")
api.add_router("/", "hoso.handbook.api.router")
api.add_router("/", "hoso.members.api.router")

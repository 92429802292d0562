"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from hoso.config.api import api

urlpatterns = [
    # First: the API is the most called, and URLs resolve in this order.
    path("api/v1/", api.urls),
    path("", include("hoso.core.urls")),
    path("", include("hoso.accounts.urls")),
    path("organizations/", include("hoso.organizations.urls")),
    path("documents/", include("hoso.documents.urls")),
    path("search/", include("hoso.search.urls")),
    path("digitization/", include("hoso.digitization.urls")),
    path("archive/", include("hoso.archive.urls")),
    path("notifications/", include("hoso.notifications.urls")),
    path("operations/", include("hoso.operations.urls")),
    path("meetings/", include("hoso.meetings.urls")),
    path("", include("hoso.handbook.urls")),
    path("members/", include("hoso.members.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

from django.urls import path
from django.utils.translation import gettext_lazy as _

from hoso.documents import services, views
from hoso.documents.choices import Direction

app_name = "documents"
urlpatterns = [
    path(
        "incoming/",
        views.register_view(Direction.INCOMING, _("Incoming register")),
        name="incoming",
    ),
    path(
        "outgoing/",
        views.register_view(Direction.OUTGOING, _("Outgoing register")),
        name="outgoing",
    ),
    path(
        "internal/",
        views.register_view(Direction.INTERNAL, _("Internal register")),
        name="internal",
    ),
    path(
        "inbox/", views.desk_view(services.inbox, _("Inbox: to register")), name="inbox"
    ),
    path(
        "awaiting/",
        views.desk_view(services.awaiting_instruction, _("Waiting for my instruction")),
        name="awaiting",
    ),
    path(
        "assigned/",
        views.desk_view(services.assigned_to, _("Assigned to me")),
        name="assigned",
    ),
    path(
        "overdue/",
        views.desk_view(services.overdue, _("Overdue documents")),
        name="overdue",
    ),
    path("incoming/add/", views.incoming_create, name="incoming-add"),
    path(
        "register/<slug:direction>.<slug:fmt>",
        views.register_export,
        name="register-export",
    ),
    path("drafts/add/", views.draft_edit, name="draft-add"),
    path("files/", views.CaseFileListView.as_view(), name="casefile-list"),
    path("files/add/", views.CaseFileEditView.as_view(), name="casefile-add"),
    path("files/<int:pk>/", views.casefile_detail, name="casefile"),
    path(
        "files/<int:pk>/<slug:action>/", views.casefile_action, name="casefile-action"
    ),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/edit/", views.draft_edit, name="draft-edit"),
    path("<int:pk>/files/<int:attachment_id>/", views.download, name="download"),
    path(
        "<int:pk>/files/<int:attachment_id>/verify/",
        views.verify_file,
        name="verify-file",
    ),
    path("<int:pk>/<slug:action>/", views.document_action, name="action"),
]

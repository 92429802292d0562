from django.urls import path

from hoso.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("add/", views.meeting_add, name="add"),
    path("series/add/", views.series_add, name="series-add"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/agenda/add/", views.agenda_add, name="agenda-add"),
    path(
        "<int:pk>/agenda/<int:item_id>/attach/",
        views.agenda_attach,
        name="agenda-attach",
    ),
    path(
        "<int:pk>/agenda/<int:item_id>/notes/", views.agenda_notes, name="agenda-notes"
    ),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/documents/<int:doc_id>/", views.agenda_document, name="document"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/current/", views.current_item, name="current-item"),
    path("<int:pk>/checkin/", views.checkin_page, name="checkin"),
    path(
        "<int:pk>/attendance/<int:participant_id>/", views.attendance, name="attendance"
    ),
    path("<int:pk>/my-code/", views.my_qr, name="my-qr"),
    path("<int:pk>/floor/request/", views.floor_request, name="floor-request"),
    path("<int:pk>/floor/next/", views.floor_next, name="floor-next"),
    path(
        "<int:pk>/floor/<int:request_id>/withdraw/",
        views.floor_withdraw,
        name="floor-withdraw",
    ),
    path("<int:pk>/screen/", views.screen, name="screen"),
    path("<int:pk>/screen/live/", views.screen_live, name="screen-live"),
    path("<int:pk>/screen/events/", views.screen_events, name="screen-events"),
    path("<int:pk>/votes/add/", views.vote_add, name="vote-add"),
    path("<int:pk>/votes/<int:vote_id>/", views.vote_detail, name="vote"),
    path(
        "<int:pk>/votes/<int:vote_id>/results/", views.vote_results, name="vote-results"
    ),
    path("<int:pk>/votes/<int:vote_id>/open/", views.vote_open, name="vote-open"),
    path("<int:pk>/votes/<int:vote_id>/close/", views.vote_close, name="vote-close"),
    path("<int:pk>/votes/<int:vote_id>/cast/", views.vote_cast, name="vote-cast"),
    path("<int:pk>/minutes/", views.minutes_page, name="minutes"),
    path("<int:pk>/minutes/generate/", views.minutes_generate, name="minutes-generate"),
    path("<int:pk>/minutes/approve/", views.minutes_approve, name="minutes-approve"),
    path("<int:pk>/minutes/sign/", views.minutes_sign, name="minutes-sign"),
    path("<int:pk>/minutes/pdf/", views.minutes_pdf, name="minutes-pdf"),
    path("<int:pk>/conclusions/add/", views.conclusion_add, name="conclusion-add"),
    path("<int:pk>/bridges/add/", views.bridges_add, name="bridges-add"),
    path("<int:pk>/bridges/status/", views.bridges_status, name="bridges-status"),
    path("<int:pk>/bridges/<int:bridge_id>/", views.bridge_room, name="bridge"),
    path(
        "<int:pk>/bridges/<int:bridge_id>/heartbeat/",
        views.bridge_heartbeat,
        name="bridge-heartbeat",
    ),
]

from django.urls import path

from hoso.handbook import views

app_name = "handbook"
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("handbook/", views.home, name="home"),
    path("handbook/offline/", views.offline, name="offline"),
    path("handbook/profile/", views.profile, name="profile"),
    path("handbook/dues/", views.dues, name="dues"),
    path("handbook/meetings/", views.meetings, name="meetings"),
    path("handbook/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("handbook/library/", views.library, name="library"),
    path("handbook/library/publish/", views.publish, name="publish"),
    path("handbook/library/<int:pk>/", views.entry, name="entry"),
    path("handbook/library/<int:pk>/file/", views.entry_file, name="entry-file"),
    path("handbook/library/<int:pk>/bookmark/", views.bookmark, name="bookmark"),
    path("handbook/study/", views.studies, name="studies"),
    path("handbook/study/add/", views.study_add, name="study-add"),
    path("handbook/study/<int:pk>/", views.study, name="study"),
    path("handbook/feedback/", views.feedback_list, name="feedback"),
    path("handbook/feedback/<int:pk>/", views.feedback_detail, name="feedback-detail"),
    path("handbook/notifications/", views.notifications, name="notifications"),
]

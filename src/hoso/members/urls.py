from django.urls import path

from hoso.members import views

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("admit/", views.AdmitView.as_view(), name="admit"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="member"),
    path("<int:pk>/edit/", views.ProfileEditView.as_view(), name="member-edit"),
    path("<int:pk>/photo/", views.PhotoView.as_view(), name="photo"),
    path(
        "<int:pk>/citizen-check/",
        views.CitizenCheckView.as_view(),
        name="citizen-check",
    ),
    path("<int:pk>/card/", views.CardView.as_view(), name="card"),
    path("<int:pk>/do/<slug:action>/", views.MemberActionView.as_view(), name="action"),
    path("transfers/", views.TransferInboxView.as_view(), name="transfers"),
    path(
        "transfers/<int:pk>/<slug:action>/",
        views.TransferActionView.as_view(),
        name="transfer-action",
    ),
    path("dues/", views.DuesSheetView.as_view(), name="dues"),
    path("rating/", views.RatingRoundListView.as_view(), name="rating-rounds"),
    path("rating/<int:pk>/", views.RatingRoundView.as_view(), name="rating-round"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("import/", views.ImportView.as_view(), name="import"),
    path(
        "import/template/", views.ImportTemplateView.as_view(), name="import-template"
    ),
    path("card/<str:token>/", views.VerifyCardView.as_view(), name="verify"),
    path(
        "card/<str:token>/photo/", views.VerifyPhotoView.as_view(), name="verify-photo"
    ),
]

from django.urls import path

from hoso.accounts import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/otp/", views.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", views.otp_setup, name="otp-setup"),
    path("accounts/position/", views.choose_position, name="choose-position"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_token, name="token-revoke"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/add/", views.PersonEditView.as_view(), name="person-add"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person-edit"),
    path(
        "people/<int:pk>/positions/",
        views.assign_position,
        name="person-assign-position",
    ),
    path("positions/<int:pk>/end/", views.end_position, name="position-end"),
]

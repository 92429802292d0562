from django.urls import path

from hoso.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrganizationTreeView.as_view(), name="tree"),
    path("list/", views.OrganizationListView.as_view(), name="organization-list"),
    path("add/", views.OrganizationEditView.as_view(), name="organization-add"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization"),
    path(
        "<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization-edit"
    ),
    path(
        "<int:pk>/restructure/",
        views.OrganizationRestructureView.as_view(),
        name="organization-restructure",
    ),
    path(
        "<int:pk>/split/",
        views.OrganizationSplitView.as_view(),
        name="organization-split",
    ),
    path(
        "<int:pk>/children/",
        views.OrganizationChildrenView.as_view(),
        name="organization-children",
    ),
]

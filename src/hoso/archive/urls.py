from django.urls import path
from django.views.generic import RedirectView

from hoso.archive import views

app_name = "archive"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="archive:duplicates"), name="index"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/scan/", views.scan, name="scan"),
    path("duplicates/<int:pk>/<slug:decision>/", views.decide, name="decide"),
    path("completeness/", views.completeness_index, name="completeness-index"),
    path(
        "completeness/<int:org_id>/",
        views.completeness_page,
        name="completeness",
    ),
    path("handover/", views.handover_page, name="handover"),
    path("handover/export/", views.handover_export, name="handover-export"),
    path("handover/import/", views.handover_import, name="handover-import"),
    path("handover/<int:pk>/", views.package_detail, name="package"),
]

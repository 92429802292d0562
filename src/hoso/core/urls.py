from django.urls import path

from hoso.core import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
    path("audit/<int:pk>/", views.AuditDetailView.as_view(), name="auditentry"),
]

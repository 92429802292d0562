from django.urls import path

from hoso.operations import views

app_name = "operations"
urlpatterns = [
    path("tasks/", views.MyTasksView.as_view(), name="my-tasks"),
    path("tasks/all/", views.TaskListView.as_view(), name="task-list"),
    path("tasks/overdue/", views.OverdueView.as_view(), name="overdue"),
    path("tasks/results/", views.TaskResultsView.as_view(), name="task-results"),
    path("tasks/add/", views.TaskCreateView.as_view(), name="task-add"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task"),
    path(
        "tasks/<int:pk>/<slug:action>/",
        views.TaskActionView.as_view(),
        name="task-action",
    ),
    path(
        "evidence/<int:pk>/",
        views.EvidenceDownloadView.as_view(),
        name="evidence",
    ),
]

urlpatterns += [
    path("indicators/", views.IndicatorListView.as_view(), name="indicator-list"),
    path("indicators/add/", views.IndicatorEditView.as_view(), name="indicator-add"),
    path("indicators/<int:pk>/", views.IndicatorDetailView.as_view(), name="indicator"),
    path(
        "indicators/<int:pk>/edit/",
        views.IndicatorEditView.as_view(),
        name="indicator-edit",
    ),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<int:pk>/", views.DashboardView.as_view(), name="dashboard-node"),
]

urlpatterns += [
    path("reports/", views.ReportFormListView.as_view(), name="report-forms"),
    path("reports/add/", views.ReportFormCreateView.as_view(), name="report-form-add"),
    path("reports/<int:pk>/", views.ReportFormDetailView.as_view(), name="report-form"),
    path(
        "reports/periods/<int:pk>/",
        views.ReportRoundView.as_view(),
        name="report-round",
    ),
    path(
        "reports/periods/<int:pk>/export.<slug:fmt>",
        views.ReportExportView.as_view(),
        name="report-export",
    ),
    path(
        "reports/submissions/<int:pk>/",
        views.ReportSubmissionView.as_view(),
        name="report-submission",
    ),
]

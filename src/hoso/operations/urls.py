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

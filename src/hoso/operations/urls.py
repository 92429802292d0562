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

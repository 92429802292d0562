from django.urls import path

from hoso.digitization import views

app_name = "digitization"
urlpatterns = [
    path("", views.ScanBatchListView.as_view(), name="batch-list"),
    path("upload/", views.upload, name="upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/retry/", views.batch_retry, name="batch-retry"),
    path("items/<int:pk>/retry/", views.item_retry, name="item-retry"),
    path("items/<int:pk>/preview.png", views.item_preview, name="item-preview"),
    path(
        "items/<int:pk>/<slug:which>/",
        views.item_file,
        name="item-file",
    ),
    path("review/", views.ReviewQueueView.as_view(), name="review"),
    path("review/<int:pk>/", views.record_review, name="record"),
    path("review/<int:pk>/reject/", views.record_reject, name="record-reject"),
    path("labels.jsonl", views.labels_export, name="labels"),
]

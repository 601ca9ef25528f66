"""REST API endpoints of the workqueue app (included under /api/v1/)."""

from django.urls import path

from openprobation.workqueue.api import WorkQueueView

urlpatterns = [
    path("work-queue/", WorkQueueView.as_view(), name="api-work-queue"),
]

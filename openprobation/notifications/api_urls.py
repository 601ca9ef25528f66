"""REST API endpoints of the notifications app (included under /api/v1/)."""

from django.urls import path

from openprobation.notifications.api import CaseMessageListView, CaseMessageRetryView

urlpatterns = [
    path("cases/<int:pk>/messages/", CaseMessageListView.as_view(), name="api-case-messages"),
    path("cases/<int:pk>/messages/<int:record>/retry/", CaseMessageRetryView.as_view(), name="api-case-message-retry"),
]

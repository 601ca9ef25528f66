"""Pages of the notifications app (full paths: included at the site root under the "notifications" namespace)."""

from django.urls import path

from openprobation.notifications import views

app_name = "notifications"

urlpatterns = [
    path("cases/<int:pk>/messages/", views.case_messages_view, name="case_messages"),
    path("cases/<int:pk>/messages/<int:record>/retry/", views.message_retry_view, name="retry"),
]

from django.urls import path

from openprobation.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log_view, name="log"),
    path("verify/", views.audit_verify_view, name="verify"),
]

"""Pages of the enforcement app (full paths: included at the site root under the "enforcement" namespace)."""

from django.urls import path

from openprobation.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("cases/<int:pk>/violations/", views.violations_view, name="violations"),
    path("cases/<int:pk>/violations/new/", views.violation_record_view, name="record"),
    path("cases/<int:pk>/violations/<int:record>/", views.violation_view, name="violation"),
    path("cases/<int:pk>/violations/<int:record>/decision/", views.violation_decision_view, name="decide"),
    path("cases/<int:pk>/violations/<int:record>/explanation/", views.violation_explanation_view, name="explain"),
    path("cases/<int:pk>/enforcement/warning/", views.warning_view, name="warning"),
    path("cases/<int:pk>/enforcement/written-warning/", views.written_warning_view, name="written_warning"),
    path("cases/<int:pk>/enforcement/submission/", views.submission_view, name="submission"),
    path("cases/<int:pk>/enforcement/court-outcome/", views.court_outcome_view, name="court_outcome"),
    path("cases/<int:pk>/wanted/", views.wanted_view, name="wanted"),
    path("cases/<int:pk>/found/", views.found_view, name="found"),
    path("cases/<int:pk>/tasks/<int:record>/done/", views.task_done_view, name="task_done"),
]

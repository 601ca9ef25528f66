"""Pages of the assessments app (full paths: included at the site root under the "assessments" namespace)."""

from django.urls import path

from openprobation.assessments import views
from openprobation.assessments.models import InstrumentKind

app_name = "assessments"

urlpatterns = [
    path("cases/<int:pk>/assessments/", views.case_assessments, name="case"),
    path(
        "cases/<int:pk>/assessments/risk/new/",
        views.assessment_new,
        {"kind": InstrumentKind.RISK.value},
        name="new_risk",
    ),
    path(
        "cases/<int:pk>/assessments/needs/new/",
        views.assessment_new,
        {"kind": InstrumentKind.NEEDS.value},
        name="new_needs",
    ),
    path("cases/<int:pk>/assessments/<int:record>/", views.assessment_detail, name="detail"),
    path("cases/<int:pk>/assessments/<int:record>/override/", views.override_new, name="override"),
    path("cases/<int:pk>/assessments/overrides/<int:record>/", views.override_decide, name="override_decide"),
]

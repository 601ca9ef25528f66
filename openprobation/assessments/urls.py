"""Pages of the assessments app (full paths: included at the site root under the "assessments" namespace)."""

from django.urls import path

from openprobation.assessments import analysis_views, views
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
    path("analysis/", analysis_views.analysis_list, name="analysis_list"),
    path("analysis/<int:pk>/", analysis_views.analysis_detail, name="analysis_detail"),
    path("analysis/<int:pk>/download/<str:what>/", analysis_views.analysis_download, name="analysis_download"),
    path("analysis/<int:pk>/delete/", analysis_views.analysis_delete, name="analysis_delete"),
]

"""REST API endpoints of the assessments app (included under /api/v1/)."""

from django.urls import path

from openprobation.assessments import analysis_api, api

urlpatterns = [
    path("cases/<int:pk>/assessments/", api.CaseAssessmentsView.as_view(), name="api-case-assessments"),
    path(
        "cases/<int:pk>/assessments/history/", api.AssessmentHistoryView.as_view(), name="api-case-assessment-history"
    ),
    path("cases/<int:pk>/assessments/prefill/", api.PrefillView.as_view(), name="api-case-assessment-prefill"),
    path("cases/<int:pk>/assessments/<int:record>/", api.AssessmentDetailView.as_view(), name="api-case-assessment"),
    path(
        "cases/<int:pk>/assessments/<int:record>/override/",
        api.OverrideView.as_view(),
        name="api-case-assessment-override",
    ),
    path(
        "cases/<int:pk>/assessments/overrides/<int:record>/decision/",
        api.OverrideDecisionView.as_view(),
        name="api-case-assessment-override-decision",
    ),
    path("instruments/", api.InstrumentsView.as_view(), name="api-instruments"),
    path("analysis/", analysis_api.AnalysisListView.as_view(), name="api-analysis"),
    path("analysis/<int:pk>/", analysis_api.AnalysisDetailView.as_view(), name="api-analysis-detail"),
    path(
        "analysis/<int:pk>/download/<str:what>/",
        analysis_api.AnalysisDownloadView.as_view(),
        name="api-analysis-download",
    ),
]

"""REST API endpoints of the programmes app (included under /api/v1/): programmes here,
organisations, referrals and the partner portal from ``referral_api_urls``."""

from django.urls import path

from openprobation.programmes import api, referral_api_urls

P = "cases/<int:pk>/programme/"

urlpatterns: list = [
    path(P, api.ProgrammeView.as_view(), name="api-case-programme"),
    path(P + "goals/", api.GoalsView.as_view(), name="api-case-programme-goals"),
    path(P + "goals/<int:record>/", api.GoalView.as_view(), name="api-case-programme-goal"),
    path(P + "measures/", api.MeasuresView.as_view(), name="api-case-programme-measures"),
    path(P + "measures/<int:record>/", api.MeasureView.as_view(), name="api-case-programme-measure"),
    path(P + "participants/", api.ParticipantsView.as_view(), name="api-case-programme-participants"),
    path(P + "participants/<int:record>/", api.ParticipantView.as_view(), name="api-case-programme-participant"),
    path(P + "copies/", api.CopiesView.as_view(), name="api-case-programme-copies"),
    path(P + "agreement/", api.AgreementView.as_view(), name="api-case-programme-agreement"),
    path(P + "review/", api.ReviewView.as_view(), name="api-case-programme-review"),
    path(P + "close/", api.CloseView.as_view(), name="api-case-programme-close"),
    path(P + "versions/", api.VersionsView.as_view(), name="api-case-programme-versions"),
    path(P + "versions/<int:record>/", api.VersionView.as_view(), name="api-case-programme-version"),
    path("programmes/capacity/", api.CapacityView.as_view(), name="api-programmes-capacity"),
    *referral_api_urls.urlpatterns,
]

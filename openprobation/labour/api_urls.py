"""REST API endpoints of the labour app (included under /api/v1/)."""

from django.urls import path

from openprobation.labour import api

urlpatterns = [
    path("cases/<int:pk>/labour/forced-labour/", api.ForcedLabourView.as_view(), name="api-case-labour-forced"),
    path(
        "cases/<int:pk>/labour/forced-labour/rejudge/",
        api.ForcedLabourRejudgeView.as_view(),
        name="api-case-labour-rejudge",
    ),
    path("cases/<int:pk>/labour/hours/", api.HoursView.as_view(), name="api-case-labour-hours"),
    path("cases/<int:pk>/labour/employment/", api.EmploymentView.as_view(), name="api-case-labour-employment"),
    path("cases/<int:pk>/labour/referrals/", api.ReferralsView.as_view(), name="api-case-labour-referrals"),
    path("cases/<int:pk>/labour/offers/", api.OffersView.as_view(), name="api-case-labour-offers"),
    path(
        "cases/<int:pk>/labour/offers/<int:record>/answer/",
        api.OfferAnswerView.as_view(),
        name="api-case-labour-offer-answer",
    ),
]

"""REST API endpoints of the employment app (included under /api/v1/)."""

from django.urls import path

from openprobation.employment import api

urlpatterns = [
    path("employment/figures/", api.FiguresView.as_view(), name="api-employment-figures"),
    path("employment/districts/<int:pk>/quotas/", api.QuotasView.as_view(), name="api-employment-quotas"),
    path("employment/districts/<int:pk>/vacancies/", api.VacanciesView.as_view(), name="api-employment-vacancies"),
    path(
        "employment/districts/<int:pk>/vacancies/<int:record>/close/",
        api.VacancyCloseView.as_view(),
        name="api-employment-vacancy-close",
    ),
    path("cases/<int:pk>/employment/", api.CaseEmploymentView.as_view(), name="api-case-employment"),
    path("cases/<int:pk>/employment/referrals/", api.ReferralsView.as_view(), name="api-case-employment-referrals"),
    path(
        "cases/<int:pk>/employment/referrals/<int:record>/expire/",
        api.ReferralExpireView.as_view(),
        name="api-case-employment-referral-expire",
    ),
    path("cases/<int:pk>/employment/placements/", api.PlacementsView.as_view(), name="api-case-employment-placements"),
    path(
        "cases/<int:pk>/employment/placements/<int:record>/end/",
        api.PlacementEndView.as_view(),
        name="api-case-employment-placement-end",
    ),
    path("cases/<int:pk>/employment/refusals/", api.RefusalsView.as_view(), name="api-case-employment-refusals"),
    path("cases/<int:pk>/employment/status/", api.StatusView.as_view(), name="api-case-employment-status"),
]

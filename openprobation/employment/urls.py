"""Pages of the employment app (full paths: included at the site root under the "employment" namespace)."""

from django.urls import path

from openprobation.employment import district_views, views

app_name = "employment"

urlpatterns = [
    path("employment/figures/", district_views.figures_view, name="figures"),
    path("employment/districts/<int:pk>/", district_views.district, name="district"),
    path("employment/districts/<int:pk>/quotas/", district_views.quota_view, name="quota"),
    path("employment/districts/<int:pk>/vacancies/", district_views.vacancy_view, name="vacancy"),
    path(
        "employment/districts/<int:pk>/vacancies/<int:record>/close/",
        district_views.vacancy_close_view,
        name="vacancy_close",
    ),
    path("cases/<int:pk>/employment/", views.case_employment, name="case"),
    path("cases/<int:pk>/employment/referrals/", views.referral_view, name="referral"),
    path(
        "cases/<int:pk>/employment/referrals/<int:record>/expire/", views.referral_expire_view, name="referral_expire"
    ),
    path("cases/<int:pk>/employment/placements/", views.placement_view, name="placement"),
    path("cases/<int:pk>/employment/placements/<int:record>/end/", views.placement_end_view, name="placement_end"),
    path("cases/<int:pk>/employment/refusals/", views.refusal_view, name="refusal"),
    path("cases/<int:pk>/employment/status/", views.status_view, name="status"),
]

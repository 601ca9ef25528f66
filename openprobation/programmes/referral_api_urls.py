"""REST API endpoints of partner organisations, referrals and the partner portal."""

from django.urls import path

from openprobation.programmes import referral_api as api

urlpatterns: list = [
    path("partner-organisations/", api.OrganisationsView.as_view(), name="api-partner-organisations"),
    path("partner-organisations/<int:pk>/", api.OrganisationView.as_view(), name="api-partner-organisation"),
    path("cases/<int:pk>/referrals/", api.CaseReferralsView.as_view(), name="api-case-referrals"),
    path("cases/<int:pk>/referrals/<int:record>/", api.CaseReferralView.as_view(), name="api-case-referral"),
    path(
        "cases/<int:pk>/referrals/<int:record>/transition/",
        api.CaseReferralTransitionView.as_view(),
        name="api-case-referral-transition",
    ),
    path("referrals/", api.ReferralsView.as_view(), name="api-referrals"),
    path("partner/referrals/", api.PortalReferralsView.as_view(), name="api-partner-referrals"),
    path("partner/referrals/<int:pk>/", api.PortalReferralView.as_view(), name="api-partner-referral"),
    path(
        "partner/referrals/<int:pk>/actions/",
        api.PortalReferralActionView.as_view(),
        name="api-partner-referral-action",
    ),
]

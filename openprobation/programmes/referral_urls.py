"""Pages of partner organisations, referrals and the partner portal (in the "programmes" namespace)."""

from django.urls import path

from openprobation.programmes import organisation_views, portal_views, referral_views

urlpatterns: list = [
    # The office's side: refer a measure, a case's referrals, one referral, the office's list.
    path("cases/<int:pk>/measures/<int:record>/refer/", referral_views.referral_new, name="referral_new"),
    path("cases/<int:pk>/referrals/", referral_views.case_referrals, name="case_referrals"),
    path("cases/<int:pk>/referrals/<int:record>/", referral_views.referral_detail, name="referral_detail"),
    path("cases/<int:pk>/referrals/<int:record>/send/", referral_views.referral_send, name="referral_send"),
    path("cases/<int:pk>/referrals/<int:record>/cancel/", referral_views.referral_cancel, name="referral_cancel"),
    path("referrals/", referral_views.referral_list, name="referral_list"),
    # The registry of partner organisations.
    path("partner-organisations/", organisation_views.organisation_list, name="organisation_list"),
    path("partner-organisations/new/", organisation_views.organisation_new, name="organisation_new"),
    path("partner-organisations/<int:pk>/", organisation_views.organisation_detail, name="organisation_detail"),
    path("partner-organisations/<int:pk>/edit/", organisation_views.organisation_edit, name="organisation_edit"),
    path("partner-organisations/<int:pk>/staff/", organisation_views.organisation_staff, name="organisation_staff"),
    # The partner portal.
    path("partner/", portal_views.portal_list, name="portal_list"),
    path("partner/referrals/<int:pk>/", portal_views.portal_detail, name="portal_detail"),
    path("partner/referrals/<int:pk>/act/", portal_views.portal_act, name="portal_act"),
]

"""REST API endpoints of the programmes app (included under /api/v1/): programmes here,
organisations, referrals and the partner portal from ``referral_api_urls``."""

from django.urls import path  # noqa: F401

from openprobation.programmes import referral_api_urls

urlpatterns: list = [
    *referral_api_urls.urlpatterns,
]

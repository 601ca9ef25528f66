"""Pages of the programmes app (full paths: included at the site root under the "programmes"
namespace): the programme pages here, the organisations, referrals and partner portal from
``referral_urls``."""

from django.urls import path  # noqa: F401

from openprobation.programmes import referral_urls

app_name = "programmes"

urlpatterns: list = [
    *referral_urls.urlpatterns,
]

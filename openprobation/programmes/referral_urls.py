"""Pages of partner organisations, referrals and the partner portal (in the "programmes" namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

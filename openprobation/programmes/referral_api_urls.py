"""REST API endpoints of partner organisations, referrals and the partner portal."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""REST API endpoints of the releases app (included under /api/v1/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

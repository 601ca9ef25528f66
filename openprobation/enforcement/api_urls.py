"""REST API endpoints of the enforcement app (included under /api/v1/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

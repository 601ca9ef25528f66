"""REST API endpoints of the conditions app (included under /api/v1/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

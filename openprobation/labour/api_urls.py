"""REST API endpoints of the labour app (included under /api/v1/)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

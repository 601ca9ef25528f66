"""Pages of the volunteers app (full paths: included at the site root under the "volunteers" namespace)."""

from django.urls import path  # noqa: F401

app_name = "volunteers"

urlpatterns: list = []

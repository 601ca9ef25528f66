"""Pages of the releases app (full paths: included at the site root under the "releases" namespace)."""

from django.urls import path  # noqa: F401

app_name = "releases"

urlpatterns: list = []

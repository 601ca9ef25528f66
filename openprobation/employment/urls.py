"""Pages of the employment app (full paths: included at the site root under the "employment" namespace)."""

from django.urls import path  # noqa: F401

app_name = "employment"

urlpatterns: list = []

"""Pages of the supervision app (full paths: included at the site root under the "supervision" namespace)."""

from django.urls import URLPattern

app_name = "supervision"

urlpatterns: list[URLPattern] = []

"""Pages of the conditions app (full paths: included at the site root under the "conditions" namespace)."""

from django.urls import URLPattern

app_name = "conditions"

urlpatterns: list[URLPattern] = []

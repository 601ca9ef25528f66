"""Pages of the enforcement app (full paths: included at the site root under the "enforcement" namespace)."""

from django.urls import URLPattern

app_name = "enforcement"

urlpatterns: list[URLPattern] = []

"""Pages of the labour app (full paths: included at the site root under the "labour" namespace)."""

from django.urls import URLPattern

app_name = "labour"

urlpatterns: list[URLPattern] = []

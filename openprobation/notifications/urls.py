"""Pages of the notifications app (full paths: included at the site root under the "notifications" namespace)."""

from django.urls import URLPattern

app_name = "notifications"

urlpatterns: list[URLPattern] = []

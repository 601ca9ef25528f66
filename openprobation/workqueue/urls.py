"""Pages of the workqueue app (full paths: included at the site root under the "workqueue" namespace)."""

from django.urls import URLPattern

app_name = "workqueue"

urlpatterns: list[URLPattern] = []

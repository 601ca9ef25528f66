"""Pages of the workqueue app (full paths: included at the site root under the "workqueue" namespace)."""

from django.urls import path

from openprobation.workqueue import views

app_name = "workqueue"

urlpatterns = [
    path("today/", views.today_view, name="today"),
]

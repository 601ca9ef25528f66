"""Pages of the conditions app (full paths: included at the site root under the "conditions" namespace)."""

from django.urls import path

from openprobation.conditions import views

app_name = "conditions"

urlpatterns = [
    path("cases/<int:pk>/conditions/add/", views.condition_add_view, name="add"),
    path("cases/<int:pk>/conditions/<int:record>/end/", views.condition_end_view, name="end"),
    path("cases/<int:pk>/conditions/notice/", views.condition_notice_view, name="notice"),
]

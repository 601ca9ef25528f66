"""Pages of the releases app (full paths: included at the site root under the "releases" namespace)."""

from django.urls import path

from openprobation.releases import views

app_name = "releases"

urlpatterns = [
    path("releases/", views.plans_list, name="list"),
    path("releases/arriving/", views.arriving_list, name="arriving"),
    path("cases/<int:pk>/release-plan/", views.plan_page, name="plan"),
    path("cases/<int:pk>/release-plan/open/", views.open_view, name="open"),
    path("cases/<int:pk>/release-plan/items/<int:record>/", views.item_view, name="item"),
    path("cases/<int:pk>/release-plan/receiving-office/", views.details_view, name="details"),
    path("cases/<int:pk>/release-plan/handover/", views.handover_view, name="handover"),
    path("cases/<int:pk>/release-plan/cancel/", views.cancel_view, name="cancel"),
]

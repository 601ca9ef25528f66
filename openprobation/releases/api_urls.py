"""REST API endpoints of the releases app (included under /api/v1/)."""

from django.urls import path

from openprobation.releases import api

urlpatterns = [
    path("release-plans/", api.PlanListView.as_view(), name="api-release-plans"),
    path("cases/<int:pk>/release-plan/", api.PlanView.as_view(), name="api-case-release-plan"),
    path(
        "cases/<int:pk>/release-plan/items/<int:record>/",
        api.ItemView.as_view(),
        name="api-case-release-plan-item",
    ),
    path(
        "cases/<int:pk>/release-plan/receiving-office/",
        api.HandoverDetailsView.as_view(),
        name="api-case-release-plan-details",
    ),
    path("cases/<int:pk>/release-plan/handover/", api.HandoverView.as_view(), name="api-case-release-plan-handover"),
    path("cases/<int:pk>/release-plan/cancel/", api.CancelView.as_view(), name="api-case-release-plan-cancel"),
]

"""REST API endpoints of the conditions app (included under /api/v1/)."""

from django.urls import path

from openprobation.conditions.api import CaseConditionEndView, CaseConditionListView, ConditionCatalogueView

urlpatterns = [
    path("cases/<int:pk>/conditions/", CaseConditionListView.as_view(), name="api-case-conditions"),
    path(
        "cases/<int:pk>/conditions/<int:record>/end/",
        CaseConditionEndView.as_view(),
        name="api-case-condition-end",
    ),
    path("conditions/catalogue/", ConditionCatalogueView.as_view(), name="api-conditions-catalogue"),
]

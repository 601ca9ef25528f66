"""REST API endpoints of the enforcement app (included under /api/v1/)."""

from django.urls import path

from openprobation.enforcement import api

urlpatterns = [
    path("cases/<int:pk>/violations/", api.ViolationListView.as_view(), name="api-case-violations"),
    path("cases/<int:pk>/violations/<int:record>/", api.ViolationDetailView.as_view(), name="api-case-violation"),
    path(
        "cases/<int:pk>/violations/<int:record>/transition/",
        api.ViolationTransitionView.as_view(),
        name="api-case-violation-transition",
    ),
    path(
        "cases/<int:pk>/violations/<int:record>/explanation/",
        api.ViolationExplanationView.as_view(),
        name="api-case-violation-explanation",
    ),
    path("cases/<int:pk>/enforcement/", api.EnforcementView.as_view(), name="api-case-enforcement"),
    path("cases/<int:pk>/wanted/", api.WantedView.as_view(), name="api-case-wanted"),
    path("cases/<int:pk>/found/", api.FoundView.as_view(), name="api-case-found"),
    path("cases/<int:pk>/tasks/", api.TaskListView.as_view(), name="api-case-tasks"),
    path("cases/<int:pk>/tasks/<int:record>/complete/", api.TaskCompleteView.as_view(), name="api-case-task-complete"),
]

"""REST API endpoints of the volunteers app (included under /api/v1/)."""

from django.urls import path

from openprobation.volunteers import api

urlpatterns = [
    path("volunteers/", api.VolunteersView.as_view(), name="api-volunteers"),
    path("volunteers/<int:record>/", api.VolunteerView.as_view(), name="api-volunteer"),
    path("volunteers/<int:record>/checks/", api.VolunteerChecksView.as_view(), name="api-volunteer-checks"),
    path("volunteers/<int:record>/status/", api.VolunteerStatusView.as_view(), name="api-volunteer-status"),
    path("cases/<int:pk>/volunteers/", api.CaseVolunteersView.as_view(), name="api-case-volunteers"),
    path(
        "cases/<int:pk>/volunteers/<int:record>/sessions/",
        api.CaseVolunteerSessionsView.as_view(),
        name="api-case-volunteer-sessions",
    ),
    path(
        "cases/<int:pk>/volunteers/<int:record>/end/",
        api.CaseVolunteerEndView.as_view(),
        name="api-case-volunteer-end",
    ),
]

"""REST API endpoints of the supervision app (included under /api/v1/)."""

from django.urls import path

from openprobation.supervision.api import AppointmentOutcomeView, CaseAppointmentListView, CaseScheduleView

urlpatterns = [
    path("cases/<int:pk>/schedule/", CaseScheduleView.as_view(), name="api-case-schedule"),
    path("cases/<int:pk>/appointments/", CaseAppointmentListView.as_view(), name="api-case-appointments"),
    path(
        "cases/<int:pk>/appointments/<int:record>/outcome/",
        AppointmentOutcomeView.as_view(),
        name="api-case-appointment-outcome",
    ),
]

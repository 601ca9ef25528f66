"""Devices, assignments, zones, schedules, alerts and tracks for staff."""

from django.urls import URLPattern, path

from openprobation.monitoring import alert_api, api

urlpatterns: list[URLPattern] = [
    path("em/devices/", api.DevicesView.as_view(), name="api-em-devices"),
    path("em/devices/<int:record>/", api.DeviceView.as_view(), name="api-em-device"),
    path("em/devices/<int:record>/status/", api.DeviceStatusView.as_view(), name="api-em-device-status"),
    path("em/devices/<int:record>/credential/", api.DeviceCredentialView.as_view(), name="api-em-device-credential"),
    path("em/devices/<int:record>/state/", api.DeviceStateView.as_view(), name="api-em-device-state"),
    path("em/cases/<int:pk>/assignments/", api.CaseAssignmentsView.as_view(), name="api-em-case-assignments"),
    path("em/cases/<int:pk>/resolutions/", api.CaseResolutionsView.as_view(), name="api-em-case-resolutions"),
    path("em/resolutions/<int:record>/", api.ResolutionView.as_view(), name="api-em-resolution"),
    path("em/resolutions/<int:record>/memo/", api.ResolutionMemoView.as_view(), name="api-em-resolution-memo"),
    path(
        "em/resolutions/<int:record>/co-residents/",
        api.ResolutionCoResidentsView.as_view(),
        name="api-em-resolution-co-residents",
    ),
    path("em/resolutions/<int:record>/close/", api.ResolutionCloseView.as_view(), name="api-em-resolution-close"),
    path("em/assignments/<int:record>/replace/", api.AssignmentReplaceView.as_view(), name="api-em-assignment-replace"),
    path("em/assignments/<int:record>/", api.AssignmentView.as_view(), name="api-em-assignment"),
    path("em/assignments/<int:record>/end/", api.AssignmentEndView.as_view(), name="api-em-assignment-end"),
    path("em/assignments/<int:record>/zones/", api.AssignmentZonesView.as_view(), name="api-em-assignment-zones"),
    path(
        "em/assignments/<int:record>/exceptions/",
        api.AssignmentExceptionsView.as_view(),
        name="api-em-assignment-exceptions",
    ),
    path("em/assignments/<int:record>/track/", api.AssignmentTrackView.as_view(), name="api-em-assignment-track"),
    path("em/zones/<int:record>/", api.ZoneView.as_view(), name="api-em-zone"),
    path("em/zones/<int:record>/schedule/", api.ZoneScheduleView.as_view(), name="api-em-zone-schedule"),
    path("em/zones/<int:record>/retire/", api.ZoneRetireView.as_view(), name="api-em-zone-retire"),
    path("em/exceptions/<int:record>/cancel/", api.ExceptionCancelView.as_view(), name="api-em-exception-cancel"),
    path("em/alerts/", api.AlertsView.as_view(), name="api-em-alerts"),
    path("em/alerts/<int:record>/", api.AlertView.as_view(), name="api-em-alert"),
    path("em/alert-queue/", alert_api.AlertQueueView.as_view(), name="api-em-alert-queue"),
    path(
        "em/alerts/<int:record>/acknowledge/",
        alert_api.AlertAcknowledgeView.as_view(),
        name="api-em-alert-acknowledge",
    ),
    path("em/alerts/<int:record>/resolve/", alert_api.AlertResolveView.as_view(), name="api-em-alert-resolve"),
    path("em/alerts/<int:record>/escalate/", alert_api.AlertEscalateView.as_view(), name="api-em-alert-escalate"),
    path("em/alerts/<int:record>/calls/", alert_api.AlertCallsView.as_view(), name="api-em-alert-calls"),
    path("em/device-health/", api.DeviceHealthView.as_view(), name="api-em-device-health"),
]

"""Devices, assignments, zones, schedules, permissions, alerts and tracks over the API: thin views on
the selectors (scoping: 404 outside the caller's scope; sensitive reads audited there) and the
services (permission, invariants and audit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import api_user
from openprobation.accounts.scoping import relationship_of
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, parse_pk
from openprobation.core.exceptions import DomainError
from openprobation.monitoring import selectors, services
from openprobation.monitoring.models import Assignment, Device, EmResolution, ScheduleException, Zone
from openprobation.monitoring.serializers import (
    AlertDetailSerializer,
    AlertListQuerySerializer,
    AlertSerializer,
    AssignmentEndInputSerializer,
    AssignmentReplaceInputSerializer,
    CancelInputSerializer,
    CoResidentsInputSerializer,
    DeviceAssignmentDetailSerializer,
    DeviceAssignmentInputSerializer,
    DeviceAssignmentSerializer,
    DeviceCreatedSerializer,
    DeviceHealthQuerySerializer,
    DeviceHealthRowSerializer,
    DeviceHealthSerializer,
    DeviceInputSerializer,
    DeviceListQuerySerializer,
    DevicePatchSerializer,
    DeviceSerializer,
    DeviceStatusInputSerializer,
    ExceptionInputSerializer,
    ExceptionSerializer,
    MemoInputSerializer,
    ResolutionCloseInputSerializer,
    ResolutionDetailSerializer,
    ResolutionInputSerializer,
    ResolutionSerializer,
    RetireInputSerializer,
    TrackSerializer,
    ZoneInputSerializer,
    ZonePatchSerializer,
    ZoneScheduleInputSerializer,
    ZoneSerializer,
    ZoneVersionSerializer,
)

READ = {403: ErrorSerializer, 404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
# Dates before the service kept monitoring data, or far ahead, are typing errors.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
AHEAD = dt.timedelta(days=366)
DEFAULT_TRACK = dt.timedelta(hours=24)


def _read_allowed(user: User) -> None:
    if not selectors.may_read(user):
        raise exceptions.PermissionDenied()


def _valid(serializer_class: Any, data: Any) -> dict[str, Any]:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


def _in_range(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is not None and not (EARLIEST <= value <= timezone.now() + AHEAD):
        raise DomainError(_("Enter a date between 2000 and a year from now."), field=field)
    return value


def _office(user: User, pk: int) -> Office:
    office = Office.objects.filter(pk=pk).select_related("region").first()
    if office is None:
        raise DomainError(_("There is no such office."), field="office")
    return office


def _device_input(d: dict[str, Any], office: Office, current: Device | None = None) -> services.DeviceInput:
    def pick(name: str) -> Any:
        return d[name] if name in d else getattr(current, name)

    return services.DeviceInput(
        kind=pick("kind"),
        serial=pick("serial"),
        office=office,
        supplier=pick("supplier"),
        leased=pick("leased"),
        firmware=pick("firmware"),
        notes=pick("notes"),
    )


def _device(user: User, pk: Any) -> Device:
    return selectors.device_detail(user=user, pk=parse_pk(pk))


def _assignment(user: User, pk: Any) -> Assignment:
    return selectors.assignment_detail(user=user, pk=parse_pk(pk))


def _zone(user: User, pk: Any) -> Zone:
    return selectors.zone_detail(user=user, pk=parse_pk(pk))


def _case(user: User, pk: Any) -> Case:
    """The case, if the caller may see its monitoring: jurisdiction staff by the case selector,
    operators by their relationship. Else a 404."""
    pk = parse_pk(pk)
    relationship = relationship_of(user)
    if relationship is not None:
        return Case.objects.select_related("office").filter(pk__in=relationship.case_ids(user)).get(pk=pk)
    return case_for_change(user=user, pk=pk)


def _owned_device(user: User, pk: int | None, field: str) -> Device | None:
    if pk is None:
        return None
    found = selectors.device_qs_for_user(user).filter(pk=pk).first()
    if found is None:
        raise DomainError(_("There is no such device in your offices."), field=field)
    return found


# --- Devices ---------------------------------------------------------------------------------------------


class DevicesView(ApiView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[DeviceListQuerySerializer],
        responses={200: DeviceSerializer(many=True), **READ},
        summary="Monitoring devices held by the offices of the caller's jurisdiction (or monitored regions)",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        _read_allowed(user)
        filters = selectors.DeviceFilters(**_valid(DeviceListQuerySerializer, request.query_params))
        rows = selectors.device_list(user=user, filters=filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DeviceSerializer(page, many=True).data)

    @extend_schema(
        request=DeviceInputSerializer,
        responses={201: DeviceCreatedSerializer, **WRITE},
        summary="Register a device in an office's stock; answers its credential once",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        if not selectors.may_manage_devices(user):
            raise exceptions.PermissionDenied()
        d = _valid(DeviceInputSerializer, request.data)
        device, secret = services.device_register(actor=user, data=_device_input(d, _office(user, d["office"])))
        body = DeviceCreatedSerializer(device, context={"credential": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)


class DeviceView(ApiView):
    @extend_schema(responses={200: DeviceSerializer, **READ}, summary="A monitoring device")
    def get(self, request: Request, record: int) -> Response:
        return Response(DeviceSerializer(_device(api_user(request), record)).data)

    @extend_schema(
        request=DevicePatchSerializer,
        responses={200: DeviceSerializer, **WRITE},
        summary="Edit a device's details or move it to another office (only the fields given change)",
    )
    def patch(self, request: Request, record: int) -> Response:
        user = api_user(request)
        device = _device(user, record)
        d = _valid(DevicePatchSerializer, request.data)
        office = _office(user, d["office"]) if "office" in d else device.office
        updated = services.device_update(actor=user, device=device, data=_device_input(d, office, device))
        return Response(DeviceSerializer(updated).data)


class DeviceStatusView(ApiView):
    @extend_schema(
        request=DeviceStatusInputSerializer,
        responses={200: DeviceSerializer, **WRITE},
        summary="Send a device to repair, record it lost or found, retire it",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        device = _device(user, record)
        d = _valid(DeviceStatusInputSerializer, request.data)
        moved = services.device_set_status(actor=user, device=device, to_status=d["to_status"], reason=d["reason"])
        return Response(DeviceSerializer(moved).data)


class DeviceCredentialView(ApiView):
    @extend_schema(
        request=None,
        responses={200: DeviceCreatedSerializer, **WRITE},
        summary="Rotate a device's credential; answers the new secret once",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        device, secret = services.device_rotate_credential(actor=user, device=_device(user, record))
        return Response(DeviceCreatedSerializer(device, context={"credential": secret}).data)


class DeviceStateView(ApiView):
    @extend_schema(
        responses={200: DeviceHealthSerializer, **READ},
        summary="A device's health and last position (audited)",
    )
    def get(self, request: Request, record: int) -> Response:
        user = api_user(request)
        device = _device(user, record)
        state = selectors.device_state(user=user, device=device)
        return Response(DeviceHealthSerializer({"device": device, "state": state}).data)


class DeviceHealthView(ApiView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[DeviceHealthQuerySerializer],
        responses={200: DeviceHealthRowSerializer(many=True), **READ},
        summary="The health of the devices in use in the caller's scope: battery, last message, last valid fix, "
        "strap, connection; silent and low-battery flags by the rulebook's thresholds",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        _read_allowed(user)
        d = _valid(DeviceHealthQuerySerializer, request.query_params)
        now = timezone.now()
        rows = selectors.device_health(user=user, filters=selectors.HealthFilters(**d), now=now)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        limits = selectors.health_thresholds(now.date())
        health = [selectors.device_health_row(device, now=now, limits=limits) for device in page]
        return paginator.get_paginated_response(DeviceHealthRowSerializer(health, many=True).data)


# --- Assignments -----------------------------------------------------------------------------------------


class CaseAssignmentsView(ApiView):
    @extend_schema(
        responses={200: DeviceAssignmentDetailSerializer(many=True), **READ},
        summary="A case's device assignments with their zones",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        _read_allowed(user)
        case = _case(user, pk)
        rows = selectors.case_assignments(user=user, case_id=case.pk)
        return Response(DeviceAssignmentDetailSerializer(rows, many=True).data)

    @extend_schema(
        request=DeviceAssignmentInputSerializer,
        responses={201: DeviceAssignmentDetailSerializer, **WRITE},
        summary="Fit a device (in stock, of the case's region) to the case",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        _read_allowed(user)
        case = _case(user, pk)
        if not selectors.may_assign(user, case):
            raise exceptions.PermissionDenied()
        d = _valid(DeviceAssignmentInputSerializer, request.data)
        assignment = services.assignment_create(
            actor=user,
            case=case,
            device=_owned_device(user, d["device"], "device"),  # type: ignore[arg-type]
            installed_at=_in_range(d["installed_at"], "installed_at"),
            rules=d["rules"],
            victim_device=_owned_device(user, d["victim_device"], "victim_device"),
            proximity_m=d["proximity_m"],
        )
        return Response(DeviceAssignmentDetailSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentView(ApiView):
    @extend_schema(
        responses={200: DeviceAssignmentDetailSerializer, **READ}, summary="An assignment with its zones and versions"
    )
    def get(self, request: Request, record: int) -> Response:
        return Response(DeviceAssignmentDetailSerializer(_assignment(api_user(request), record)).data)


class AssignmentEndView(ApiView):
    @extend_schema(
        request=AssignmentEndInputSerializer,
        responses={200: DeviceAssignmentSerializer, **WRITE},
        summary="Take the device off: the assignment ends, the device goes back to stock (or repair, or lost)",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        assignment = _assignment(user, record)
        d = _valid(AssignmentEndInputSerializer, request.data)
        ended = services.assignment_end(
            actor=user,
            assignment=assignment,
            reason=d["reason"],
            removed_at=_in_range(d["removed_at"], "removed_at"),
            device_status=d["device_status"],
        )
        return Response(DeviceAssignmentSerializer(ended).data)


# --- Zones and schedules ---------------------------------------------------------------------------------


class AssignmentZonesView(ApiView):
    @extend_schema(responses={200: ZoneSerializer(many=True), **READ}, summary="An assignment's zones with versions")
    def get(self, request: Request, record: int) -> Response:
        assignment = _assignment(api_user(request), record)
        return Response(ZoneSerializer(assignment.zones.all(), many=True).data)

    @extend_schema(
        request=ZoneInputSerializer,
        responses={201: ZoneSerializer, **WRITE},
        summary="A new zone: inclusion, home (curfew windows), exclusion or a victim's place",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        assignment = _assignment(user, record)
        d = _valid(ZoneInputSerializer, request.data)
        zone = services.zone_create(
            actor=user,
            assignment=assignment,
            kind=d["kind"],
            name=d["name"],
            shape=services.ZoneShape(
                geometry=d["geometry"], radius_m=d["radius_m"], buffer_m=d["buffer_m"], windows=d["windows"]
            ),
            valid_from=_in_range(d["valid_from"], "valid_from"),
            reason=d["reason"],
        )
        zone = selectors.zone_detail(user=user, pk=zone.pk)
        return Response(ZoneSerializer(zone).data, status=status.HTTP_201_CREATED)


class ZoneView(ApiView):
    @extend_schema(responses={200: ZoneSerializer, **READ}, summary="A zone with every version")
    def get(self, request: Request, record: int) -> Response:
        return Response(ZoneSerializer(_zone(api_user(request), record)).data)

    @extend_schema(
        request=ZonePatchSerializer,
        responses={200: ZoneVersionSerializer, **WRITE},
        summary="Change a zone: a new version from valid_from (default now); what is not given stays",
    )
    def patch(self, request: Request, record: int) -> Response:
        user = api_user(request)
        zone = _zone(user, record)
        d = _valid(ZonePatchSerializer, request.data)
        given = {k: d[k] for k in ("geometry", "radius_m", "buffer_m", "windows") if k in d}
        version = services.zone_change(
            actor=user,
            zone=zone,
            name=d.get("name"),
            valid_from=_in_range(d["valid_from"], "valid_from"),
            reason=d["reason"],
            **given,
        )
        return Response(ZoneVersionSerializer(version).data)


class ZoneScheduleView(ApiView):
    @extend_schema(
        request=ZoneScheduleInputSerializer,
        responses={200: ZoneVersionSerializer, **WRITE},
        summary="Set a zone's weekly windows (a home zone's curfew): a new version",
    )
    def put(self, request: Request, record: int) -> Response:
        user = api_user(request)
        zone = _zone(user, record)
        d = _valid(ZoneScheduleInputSerializer, request.data)
        version = services.zone_set_schedule(
            actor=user,
            zone=zone,
            windows=d["windows"],
            valid_from=_in_range(d["valid_from"], "valid_from"),
            reason=d["reason"],
        )
        return Response(ZoneVersionSerializer(version).data)


class ZoneRetireView(ApiView):
    @extend_schema(
        request=RetireInputSerializer,
        responses={200: ZoneSerializer, **WRITE},
        summary="Retire a zone: its last version ends at `at` (default now)",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        zone = _zone(user, record)
        d = _valid(RetireInputSerializer, request.data)
        services.zone_retire(actor=user, zone=zone, reason=d["reason"], at=_in_range(d["at"], "at"))
        return Response(ZoneSerializer(selectors.zone_detail(user=user, pk=zone.pk)).data)


# --- One-off permissions ---------------------------------------------------------------------------------


class AssignmentExceptionsView(ApiView):
    @extend_schema(responses={200: ExceptionSerializer(many=True), **READ}, summary="An assignment's permissions")
    def get(self, request: Request, record: int) -> Response:
        assignment = _assignment(api_user(request), record)
        return Response(ExceptionSerializer(assignment.exceptions.order_by("starts_at"), many=True).data)

    @extend_schema(
        request=ExceptionInputSerializer,
        responses={201: ExceptionSerializer, **WRITE},
        summary="A one-off permission (at most 31 days) from a zone, or from every curfew",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        assignment = _assignment(user, record)
        d = _valid(ExceptionInputSerializer, request.data)
        zone = None
        if d["zone"] is not None:
            zone = assignment.zones.filter(pk=d["zone"]).first()
            if zone is None:
                raise DomainError(_("Choose a zone of this assignment."), field="zone")
        exception = services.exception_create(
            actor=user,
            assignment=assignment,
            starts_at=_in_range(d["starts_at"], "starts_at"),  # type: ignore[arg-type]
            ends_at=_in_range(d["ends_at"], "ends_at"),  # type: ignore[arg-type]
            reason=d["reason"],
            zone=zone,
        )
        return Response(ExceptionSerializer(exception).data, status=status.HTTP_201_CREATED)


class ExceptionCancelView(ApiView):
    @extend_schema(
        request=CancelInputSerializer,
        responses={200: ExceptionSerializer, **WRITE},
        summary="Withdraw a permission: the zone is judged again from now on",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        exception: ScheduleException = selectors.exception_qs_for_user(user).get(pk=parse_pk(record))
        d = _valid(CancelInputSerializer, request.data)
        cancelled = services.exception_cancel(actor=user, exception=exception, reason=d["reason"])
        return Response(ExceptionSerializer(cancelled).data)


# --- Tracks and alerts -----------------------------------------------------------------------------------


class AssignmentTrackView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", str, description="ISO 8601; default 24 hours before `to`"),
            OpenApiParameter("to", str, description="ISO 8601, exclusive; default now. At most 31 days after `from`."),
        ],
        responses={200: TrackSerializer, **WRITE},
        summary="The positions of the assignment's device between two times, in fix-time order (audited)",
    )
    def get(self, request: Request, record: int) -> Response:
        user = api_user(request)
        assignment = _assignment(user, record)
        parse = serializers.DateTimeField()

        def when(name: str) -> dt.datetime | None:
            raw = request.query_params.get(name)
            if raw in (None, ""):
                return None
            try:
                return _in_range(parse.to_internal_value(raw), name)
            except serializers.ValidationError as error:
                raise exceptions.ValidationError({name: error.detail}) from None

        end = when("to") or timezone.now()
        start = when("from") or end - DEFAULT_TRACK
        if start >= end:
            raise DomainError(_("“from” must be before “to”."), field="from")
        if end - start > selectors.TRACK_MAX_SPAN:
            raise DomainError(_("A track covers at most 31 days."), field="to")
        track = selectors.assignment_track(user=user, assignment=assignment, start=start, end=end)
        return Response(TrackSerializer(track).data)


class AlertsView(ApiView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[AlertListQuerySerializer],
        responses={200: AlertSerializer(many=True), **READ},
        summary="Monitoring alerts of the caller's scope, newest first, with filters",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        _read_allowed(user)
        d = _valid(AlertListQuerySerializer, request.query_params)
        _in_range(d["since"], "since")
        _in_range(d["until"], "until")
        rows = selectors.alert_list(user=user, filters=selectors.AlertFilters(**d))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(AlertSerializer(page, many=True).data)


class AlertView(ApiView):
    @extend_schema(
        responses={200: AlertDetailSerializer, **READ},
        summary="An alert with its assignment, the zone version it was judged against and the fixes around it (audited)",
    )
    def get(self, request: Request, record: int) -> Response:
        detail = selectors.alert_detail(user=api_user(request), pk=parse_pk(record))
        return Response(AlertDetailSerializer(detail).data)


# --- EM resolutions and device replacement ---------------------------------------------------------------


def _resolution(user: User, pk: Any) -> EmResolution:
    return selectors.resolution_detail(user=user, pk=parse_pk(pk))


class CaseResolutionsView(ApiView):
    @extend_schema(
        responses={200: ResolutionSerializer(many=True), **READ},
        summary="A case's EM resolutions (Order 511 para. 140), newest first",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        _read_allowed(user)
        case = _case(user, pk)
        return Response(ResolutionSerializer(selectors.case_resolutions(user=user, case_id=case.pk), many=True).data)

    @extend_schema(
        request=ResolutionInputSerializer,
        responses={201: ResolutionDetailSerializer, **WRITE},
        summary="Record the head of office's resolution putting the case under electronic monitoring",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        _read_allowed(user)
        case = _case(user, pk)
        d = _valid(ResolutionInputSerializer, request.data)
        resolution = services.resolution_decide(actor=user, case=case, data=services.ResolutionInput(**d))
        body = ResolutionDetailSerializer(selectors.resolution_detail(user=user, pk=resolution.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ResolutionView(ApiView):
    @extend_schema(responses={200: ResolutionDetailSerializer, **READ}, summary="An EM resolution with its history")
    def get(self, request: Request, record: int) -> Response:
        return Response(ResolutionDetailSerializer(_resolution(api_user(request), record)).data)


class ResolutionMemoView(ApiView):
    @extend_schema(
        request=MemoInputSerializer,
        responses={200: ResolutionDetailSerializer, **WRITE},
        summary="Record the person's signed acknowledgement of the usage memo and of liability for damage",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        resolution = _resolution(user, record)
        d = _valid(MemoInputSerializer, request.data)
        services.resolution_acknowledge_memo(actor=user, resolution=resolution, signed_on=d["signed_on"])
        return Response(ResolutionDetailSerializer(_resolution(user, resolution.pk)).data)


class ResolutionCoResidentsView(ApiView):
    @extend_schema(
        request=CoResidentsInputSerializer,
        responses={200: ResolutionDetailSerializer, **WRITE},
        summary="Record that the people living with the person were informed of the monitoring",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        resolution = _resolution(user, record)
        d = _valid(CoResidentsInputSerializer, request.data)
        services.resolution_inform_co_residents(
            actor=user, resolution=resolution, informed_on=d["informed_on"], note=d["note"]
        )
        return Response(ResolutionDetailSerializer(_resolution(user, resolution.pk)).data)


class ResolutionCloseView(ApiView):
    @extend_schema(
        request=ResolutionCloseInputSerializer,
        responses={200: ResolutionDetailSerializer, **WRITE},
        summary="End or revoke an EM resolution (the head's decision; no device may still be fitted under it)",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        resolution = _resolution(user, record)
        d = _valid(ResolutionCloseInputSerializer, request.data)
        services.resolution_close(
            actor=user,
            resolution=resolution,
            to_status=d["to_status"],
            reason=d["reason"],
            acting_head=d["acting_head"],
        )
        return Response(ResolutionDetailSerializer(_resolution(user, resolution.pk)).data)


class AssignmentReplaceView(ApiView):
    @extend_schema(
        request=AssignmentReplaceInputSerializer,
        responses={201: DeviceAssignmentDetailSerializer, **WRITE},
        summary="Replace the device: the assignment ends and another device is fitted, with the zones carried over",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        assignment = _assignment(user, record)
        d = _valid(AssignmentReplaceInputSerializer, request.data)
        new = services.assignment_replace(
            actor=user,
            assignment=assignment,
            device=_owned_device(user, d["device"], "device"),  # type: ignore[arg-type]
            reason=d["reason"],
            replaced_at=_in_range(d["replaced_at"], "replaced_at"),
            device_status=d["device_status"],
        )
        body = DeviceAssignmentDetailSerializer(selectors.assignment_detail(user=user, pk=new.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

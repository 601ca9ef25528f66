"""Schedules and appointments over the API. Thin: the case through the scoped case selectors
(out of jurisdiction → 404, reads audited), writes through ``supervision.services``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user
from openprobation.cases.selectors import case_detail, case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, parse_pk
from openprobation.core.timeutil import local_today
from openprobation.supervision.rules import Frequency
from openprobation.supervision.selectors import (
    appointment_for_change,
    case_appointments,
    schedule_in_force,
)
from openprobation.supervision.serializers import (
    AppointmentInputSerializer,
    AppointmentSerializer,
    OutcomeInputSerializer,
    ScheduleInputSerializer,
    ScheduleSerializer,
    ScheduleStateSerializer,
)
from openprobation.supervision.services import (
    ScheduleInput,
    appointment_correct_outcome,
    appointment_create,
    appointment_record_outcome,
    schedule_default,
    schedule_set,
)

_ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _schedule_state(case: Any) -> dict[str, Any]:
    today = local_today()
    default, time_of_day, _params = schedule_default(case=case, on=max(today, case.control_start or today))
    schedule = schedule_in_force(case=case)
    return {
        "schedule": ScheduleSerializer(schedule).data if schedule else None,
        "default": {**default.as_params(), "time_of_day": time_of_day.strftime("%H:%M")},
    }


class CaseScheduleView(ApiView):
    @extend_schema(
        responses={200: ScheduleStateSerializer, 404: ErrorSerializer},
        summary="The reporting schedule in force and the rulebook's default (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_detail(user=user, pk=parse_pk(pk), part="schedule")
        return Response(_schedule_state(case))

    @extend_schema(
        request=ScheduleInputSerializer,
        responses={200: ScheduleStateSerializer, **_ERRORS},
        summary="Set the reporting schedule (a frequency other than the default needs a reason)",
    )
    def put(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        form = ScheduleInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        data = ScheduleInput(
            frequency=Frequency(
                pattern=v["pattern"],
                weekdays=tuple(v["weekdays"]),
                month_days=tuple(v["month_days"]),
                interval_weeks=v["interval_weeks"],
            ),
            time_of_day=v["time_of_day"],
            valid_from=v["valid_from"],
            valid_until=v["valid_until"],
            kind=v["kind"],
            place=v["place"],
            reason=v["reason"],
        )
        schedule_set(actor=user, case=case, data=data)
        return Response(_schedule_state(case))


class CaseAppointmentListView(ApiView):
    pagination_class = Pagination

    @extend_schema(
        responses={200: AppointmentSerializer(many=True), 404: ErrorSerializer},
        summary="The case's appointments, soonest first, paged (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_detail(user=user, pk=parse_pk(pk), part="appointments")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            case_appointments(case=case).select_related("rescheduled_to"), request, view=self
        )
        return paginator.get_paginated_response(AppointmentSerializer(page, many=True).data)

    @extend_schema(
        request=AppointmentInputSerializer,
        responses={201: AppointmentSerializer, **_ERRORS},
        summary="Add an appointment outside the schedule (on a working day)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        form = AppointmentInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        appointment = appointment_create(
            actor=user, case=case, kind=v["kind"], starts_at=v["starts_at"], place=v["place"]
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentOutcomeView(ApiView):
    @extend_schema(
        request=OutcomeInputSerializer,
        responses={200: AppointmentSerializer, **_ERRORS},
        summary="Record an appointment's outcome (or correct it, with correction_reason)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        appointment = appointment_for_change(user=user, case_pk=parse_pk(pk), pk=parse_pk(record))
        form = OutcomeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        if appointment.outcome and v["correction_reason"].strip():
            appointment_correct_outcome(
                actor=user,
                appointment=appointment,
                outcome=v["outcome"],
                reason=v["correction_reason"],
                reason_code=v["reason_code"],
                note=v["note"],
                evidence=v["evidence"],
            )
        else:
            appointment_record_outcome(
                actor=user,
                appointment=appointment,
                outcome=v["outcome"],
                reason_code=v["reason_code"],
                note=v["note"],
                evidence=v["evidence"],
                rescheduled_by=v["rescheduled_by"],
                rescheduled_to=v["rescheduled_to"],
            )
        appointment.refresh_from_db()
        return Response(AppointmentSerializer(appointment).data)

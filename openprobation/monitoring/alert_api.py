"""Alert handling over the API: the queue with its timers, acknowledge, resolve, escalate, calls.
Thin: the scoped selectors (404 outside the caller's scope) and the services (permission,
lifecycle, audit)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.core.api import ApiView, parse_pk
from openprobation.monitoring import alert_selectors, selectors, services
from openprobation.monitoring.alert_serializers import (
    AcknowledgeInputSerializer,
    CallInputSerializer,
    CallSerializer,
    EscalateInputSerializer,
    QueueQuerySerializer,
    QueueSerializer,
    ResolveInputSerializer,
)
from openprobation.monitoring.api import READ, WRITE, _in_range, _read_allowed, _valid
from openprobation.monitoring.models import Alert
from openprobation.monitoring.serializers import AlertSerializer


def _alert(user: User, record: Any) -> Alert:
    """An alert of the caller's scope (else 404) that they may handle (else 403)."""
    alert = selectors.alert_qs_for_user(user).get(pk=parse_pk(record))
    if not alert_selectors.may_handle_alert(user, alert):
        raise exceptions.PermissionDenied()
    return alert


class AlertQueueView(ApiView):
    @extend_schema(
        parameters=[QueueQuerySerializer],
        responses={200: QueueSerializer, **READ},
        summary="Unresolved alerts of the caller's scope, oldest waiting first, with their timers and counts",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        _read_allowed(user)
        filters = alert_selectors.QueueFilters(**_valid(QueueQuerySerializer, request.query_params))
        return Response(QueueSerializer(alert_selectors.alert_queue(user=user, filters=filters)).data)


class AlertAcknowledgeView(ApiView):
    @extend_schema(
        request=AcknowledgeInputSerializer,
        responses={200: AlertSerializer, **WRITE},
        summary="Acknowledge a new (or escalated) alert",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        alert = _alert(user, record)
        d = _valid(AcknowledgeInputSerializer, request.data)
        return Response(AlertSerializer(services.alert_acknowledge(actor=user, alert=alert, note=d["note"])).data)


class AlertResolveView(ApiView):
    @extend_schema(
        request=ResolveInputSerializer,
        responses={200: AlertSerializer, **WRITE},
        summary="Resolve an acknowledged alert; a confirmed violation records a violation candidate on the case",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        alert = _alert(user, record)
        d = _valid(ResolveInputSerializer, request.data)
        resolved = services.alert_resolve(actor=user, alert=alert, resolution=d["resolution"], note=d["note"])
        return Response(AlertSerializer(resolved).data)


class AlertEscalateView(ApiView):
    @extend_schema(
        request=EscalateInputSerializer,
        responses={200: AlertSerializer, **WRITE},
        summary="Escalate an acknowledged alert to the case's officer",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        alert = _alert(user, record)
        d = _valid(EscalateInputSerializer, request.data)
        return Response(AlertSerializer(services.alert_escalate(actor=user, alert=alert, reason=d["reason"])).data)


class AlertCallsView(ApiView):
    @extend_schema(responses={200: CallSerializer(many=True), **READ}, summary="The calls made about an alert")
    def get(self, request: Request, record: int) -> Response:
        user = api_user(request)
        _read_allowed(user)
        alert = selectors.alert_qs_for_user(user).get(pk=parse_pk(record))
        return Response(CallSerializer(alert_selectors.alert_calls(alert), many=True).data)

    @extend_schema(
        request=CallInputSerializer,
        responses={201: CallSerializer, **WRITE},
        summary="Record a phone call about an alert and its outcome",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        alert = _alert(user, record)
        d = _valid(CallInputSerializer, request.data)
        call = services.alert_call_record(
            actor=user,
            alert=alert,
            party=d["party"],
            number=d["number"],
            name=d["name"],
            outcome=d["outcome"],
            note=d["note"],
            called_at=_in_range(d["called_at"], "called_at"),
        )
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

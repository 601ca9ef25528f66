"""A case's duties over the API: the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user, needs_cap
from openprobation.accounts.roles import Cap
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.models import Case, CourtDecision
from openprobation.cases.selectors import case_for_change
from openprobation.conditions.catalogue import current_catalogue
from openprobation.conditions.selectors import case_conditions, condition_of_case
from openprobation.conditions.serializers import (
    CaseConditionSerializer,
    ConditionDefinitionSerializer,
    ConditionEndSerializer,
    ConditionInputSerializer,
)
from openprobation.conditions.services import case_condition_add, case_condition_end
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today


def _case_to_change(user: User, pk: Any) -> Case:
    """The case a write is posted to: 404 outside the jurisdiction, 403 when the caller may not
    change it (before the body is judged, so a refused caller learns nothing of its records)."""
    case = case_for_change(user=user, pk=parse_pk(pk))
    if not may(user, CaseAction.EDIT, case):
        raise PermissionDeniedError(_("You may not change this case."))
    return case


def _decision_of(case: Case, pk: Any, *, required: bool) -> CourtDecision | None:
    if pk is None and not required:
        return None
    decision = case.decisions.filter(pk=pk).first() if pk is not None else None
    if decision is None:
        raise DomainError(_("There is no such decision on this case."), field="decision", code="does_not_exist")
    return decision


class CaseConditionListView(ApiView):
    @extend_schema(
        responses={200: CaseConditionSerializer(many=True), 404: ErrorSerializer},
        summary="The duties the court set for the case, in force and ended (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        return Response(CaseConditionSerializer(case_conditions(user=user, case=case), many=True).data)

    @extend_schema(
        request=ConditionInputSerializer,
        responses={201: CaseConditionSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Enter a duty from a court decision (the catalogue version in force on in_force_from)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = ConditionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        condition = case_condition_add(
            actor=user,
            case=case,
            code=data["code"],
            params=data["params"],
            decision=_decision_of(case, data["decision"], required=False),
            in_force_from=data["in_force_from"],
        )
        return Response(CaseConditionSerializer(condition).data, status=status.HTTP_201_CREATED)


class CaseConditionEndView(ApiView):
    @extend_schema(
        request=ConditionEndSerializer,
        responses={200: CaseConditionSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="End a duty by a later court decision of the case",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        condition = condition_of_case(case=case, pk=parse_pk(record))
        form = ConditionEndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        ended = case_condition_end(
            actor=user,
            condition=condition,
            decision=_decision_of(case, data["decision"], required=True),
            ended_on=data["ended_on"],
            reason=data["reason"],
        )
        return Response(CaseConditionSerializer(condition_of_case(case=case, pk=ended.pk)).data)


class ConditionCatalogueView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.CASE_VIEW)]

    @extend_schema(
        responses={200: ConditionDefinitionSerializer(many=True), 403: ErrorSerializer},
        summary="The catalogue of duties a court may set: the version of each in force today",
    )
    def get(self, request: Request) -> Response:
        return Response(ConditionDefinitionSerializer(current_catalogue(local_today()), many=True).data)

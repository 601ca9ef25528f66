"""Cases over the API. Thin: reads through ``cases.selectors`` (out of jurisdiction → 404),
writes through ``cases.services`` (which check permission, legality and write the audit);
views and searches are audited like the web pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import api_user, needs_cap
from openprobation.accounts.roles import Cap
from openprobation.accounts.scoping import offices_for_user
from openprobation.accounts.serializers import OfficeCaseloadSerializer
from openprobation.cases.models import Case
from openprobation.cases.selectors import (
    CaseloadFilters,
    case_detail,
    case_for_change,
    caseload,
    office_caseload,
    person_cases,
)
from openprobation.cases.serializers import (
    AllocateSerializer,
    AppearanceSerializer,
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseloadRowSerializer,
    CaseOpenSerializer,
    CaseSummarySerializer,
    CourtDecisionSerializer,
    DecisionInputSerializer,
    RegisterSerializer,
    TransferSerializer,
    TransitionSerializer,
)
from openprobation.cases.services import (
    CaseInput,
    DecisionInput,
    case_allocate,
    case_open,
    case_record_appearance,
    case_register,
    case_transfer,
    case_transition,
    court_decision_record,
)
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, parse_pk
from openprobation.core.exceptions import DomainError
from openprobation.core.serializers import TimelinePageSerializer, TimelineQuerySerializer
from openprobation.core.timeline import timeline_page
from openprobation.people.selectors import person_detail, person_qs_for_user


def _visible_case(user: User, pk: Any, part: str = "") -> Case:
    """The case if the caller may see it, recorded as a view; otherwise DoesNotExist → 404."""
    return case_detail(user=user, pk=parse_pk(pk), part=part)


def _case_to_change(user: User, pk: Any) -> Case:
    """The case an action is posted to (the service checks and records the change); else 404."""
    return case_for_change(user=user, pk=parse_pk(pk))


def case_detail_body(user: User, case: Case) -> dict[str, Any]:
    """The case as it is after a change (the change itself is the audit event)."""
    return dict(CaseDetailSerializer(case_for_change(user=user, pk=case.pk), context={"user": user}).data)


def _office(pk: int, field: str) -> Office:
    # Offices are reference data, not personal data; whether the caller may act for the office
    # is decided by the service (a 403), so an unknown id is simply a bad value.
    office = Office.objects.filter(pk=pk).first()
    if office is None:
        raise DomainError(_("There is no such office."), field=field, code="does_not_exist")
    return office


class CaseListView(ApiView):
    pagination_class = Pagination  # the list is paged; the schema documents the page
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.CASE_OPEN, methods=("POST",))]

    @extend_schema(
        parameters=[CaseFilterSerializer],
        responses={200: CaseloadRowSerializer(many=True), 400: ErrorSerializer},
        summary="The caseload of my jurisdiction, filtered and sorted (searches are audited)",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        params = CaseFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        filters = CaseloadFilters(
            q=v.get("q", "").strip(),
            case_type=v.get("type", ""),
            status=v.get("status", ""),
            office=v.get("office"),
            officer=v.get("officer"),
            mine=v["mine"],
            open_only=v["open"],
            overdue=v["overdue"],
            unallocated=v["unallocated"],
            sort=v["ordering"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(caseload(user=user, filters=filters), request, view=self)
        return paginator.get_paginated_response(CaseloadRowSerializer(page, many=True).data)

    @extend_schema(
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Open a case (terms and eligibility are checked against the rulebook)",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        form = CaseOpenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        person = person_qs_for_user(user).filter(pk=data.pop("person")).first()
        if person is None:
            raise DomainError(
                _("There is no such person in your jurisdiction. Register the person first."),
                field="person",
                code="does_not_exist",
            )
        office = _office(data.pop("office"), "office")
        case = case_open(actor=user, person=person, office=office, data=CaseInput(**data))
        return Response(case_detail_body(user, case), status=status.HTTP_201_CREATED)


class CaseDetailView(ApiView):
    @extend_schema(
        responses={200: CaseDetailSerializer, 404: ErrorSerializer},
        summary="One case with its legal basis and allowed moves (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _visible_case(user, pk)
        return Response(CaseDetailSerializer(case, context={"user": user}).data)


class CaseTimelineView(ApiView):
    @extend_schema(
        parameters=[TimelineQuerySerializer],
        responses={200: TimelinePageSerializer, 404: ErrorSerializer},
        summary="The case's timeline from every app, newest first, paged (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        params = TimelineQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        case = _visible_case(user, pk, part="timeline")
        found = timeline_page(user=user, case=case, **params.validated_data)
        return Response(TimelinePageSerializer(found).data)


_CHANGE_RESPONSES = {200: CaseDetailSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class CaseTransitionView(ApiView):
    @extend_schema(request=TransitionSerializer, responses=_CHANGE_RESPONSES, summary="Change the status")
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = TransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        case_transition(
            actor=user, case=case, to_status=v["to_status"], reason=v["reason"], effective_on=v["effective_on"]
        )
        return Response(case_detail_body(user, case))


class CaseRegisterView(ApiView):
    @extend_schema(request=RegisterSerializer, responses=_CHANGE_RESPONSES, summary="Register the case")
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case_register(
            actor=user,
            case=case,
            registered_on=form.validated_data["registered_on"],
            reason=form.validated_data["reason"],
        )
        return Response(case_detail_body(user, case))


class CaseAllocateView(ApiView):
    @extend_schema(request=AllocateSerializer, responses=_CHANGE_RESPONSES, summary="Allocate to an officer")
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = AllocateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        officer: User | None = None
        officer_id = form.validated_data["officer"]
        if officer_id is not None:
            # Staff of the case's office only; the service checks the officer is active and may
            # carry cases.
            officer = User.objects.filter(pk=officer_id, office_id=case.office_id).first()
            if officer is None:
                raise DomainError(_("Choose an active officer of the case's office."), field="officer")
        case_allocate(actor=user, case=case, officer=officer, reason=form.validated_data["reason"])
        return Response(case_detail_body(user, case))


class CaseTransferView(ApiView):
    @extend_schema(request=TransferSerializer, responses=_CHANGE_RESPONSES, summary="Transfer to another office")
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = TransferSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        to_office = _office(form.validated_data["to_office"], "to_office")
        case_transfer(actor=user, case=case, to_office=to_office, reason=form.validated_data["reason"])
        return Response(case_detail_body(user, case))


class CaseAppearanceView(ApiView):
    @extend_schema(
        request=AppearanceSerializer,
        responses=_CHANGE_RESPONSES,
        summary="Record the day a person released on deferral appeared (starts PEC art. 163's 3 working days)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = AppearanceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case_record_appearance(actor=user, case=case, appeared_on=form.validated_data["appeared_on"])
        return Response(case_detail_body(user, case))


class CaseDecisionListView(ApiView):
    @extend_schema(
        responses={200: CourtDecisionSerializer(many=True), 404: ErrorSerializer},
        summary="Later court decisions of the case, in the order they took effect (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _visible_case(user, pk, part="decisions")
        return Response(CourtDecisionSerializer(case.decisions.select_related("recorded_by"), many=True).data)

    @extend_schema(
        request=DecisionInputSerializer,
        responses={201: CourtDecisionSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Record a later court decision; the control period is derived again from every decision",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = DecisionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decision = court_decision_record(actor=user, case=case, data=DecisionInput(**form.validated_data))
        return Response(CourtDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class PersonCasesView(ApiView):
    @extend_schema(
        responses={200: CaseSummarySerializer(many=True), 404: ErrorSerializer},
        summary="One person's cases of every type, oldest first (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        person = person_detail(user=user, pk=parse_pk(pk), part="cases")
        return Response(CaseSummarySerializer(person_cases(user=user, person=person), many=True).data)


class OfficeCaseloadView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.OFFICE_CASELOAD)]

    @extend_schema(
        responses={200: OfficeCaseloadSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Open cases per officer against the office's capacity",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        office = offices_for_user(user).get(pk=parse_pk(pk))
        loads, unallocated = office_caseload(user=user, office=office)
        data = {
            "office": office,
            "capacity": office.officer_capacity,
            "unallocated": unallocated,
            "officers": [
                {
                    "officer": load.officer,
                    "open_cases": load.open_cases,
                    "capacity": load.capacity,
                    "percent": load.percent,
                    "over": load.over,
                }
                for load in loads
            ],
        }
        return Response(OfficeCaseloadSerializer(data).data)

"""Assessments over the API: the same selectors and services as the pages (scoping: the case
selectors, 404 outside the jurisdiction; permission and audit: the services)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.assessments import selectors, services
from openprobation.assessments.facts import prefill
from openprobation.assessments.instruments import instrument_in_force, spec_of
from openprobation.assessments.models import Assessment, Instrument, InstrumentKind, InstrumentStatus, LevelOverride
from openprobation.assessments.serializers import (
    AssessmentInputSerializer,
    AssessmentSerializer,
    InstrumentSerializer,
    OverrideDecisionInputSerializer,
    OverrideInputSerializer,
    OverrideSerializer,
    PrefillSerializer,
    StateSerializer,
)
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.timeutil import local_today

READ = {404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _visible(user: User, pk: Any) -> Case:
    return selectors.assessment_case(user=user, pk=parse_pk(pk))


def _assessment(case: Case, aid: Any) -> Assessment:
    return selectors.assessment_of(user=None, case=case, pk=parse_pk(aid))


def state_data(case: Case) -> dict[str, Any]:
    """The case's current assessment state: one shape for the API (the page shows the same)."""
    state = selectors.case_state(case)
    consequence = selectors.level_consequences(case, on=local_today())
    return {
        "level": state.level if state else "",
        "assessed_level": state.assessed_level if state else "",
        "overridden": bool(state and state.override_id),
        "supervision_level": consequence.supervision_level if consequence else "",
        "em_proposed": bool(consequence and consequence.em_proposed),
        "due_on": state.due_on if state else None,
        "due_reason": state.due_reason if state else "",
        "risk": state.risk if state else None,
        "needs": state.needs if state else None,
        "pending_overrides": selectors.pending_overrides(case),
        "open_triggers": [
            {"kind": t.kind, "occurred_on": t.occurred_on.isoformat(), "source": t.source_ref}
            for t in selectors.open_triggers(case)
        ],
    }


class CaseAssessmentsView(ApiView):
    @extend_schema(
        responses={200: StateSerializer, **READ},
        summary="The case's level, due date, current risk and needs assessments (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        return Response(StateSerializer(state_data(case)).data)

    @extend_schema(
        request=AssessmentInputSerializer,
        responses={201: AssessmentSerializer, **WRITE},
        summary="Score and record an assessment with the instrument in force (answers by item code)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        form = AssessmentInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        assessment = services.assessment_record(
            actor=user,
            case=case,
            kind=data["kind"],
            answers=data["answers"],
            reason=data["reason"],
            assessed_on=data["assessed_on"],
            note=data["note"],
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentHistoryView(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(InstrumentKind.values), required=False)],
        responses={200: AssessmentSerializer(many=True), **READ},
        summary="Every assessment of the case, newest first (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in InstrumentKind.values:
            raise ValidationError({"kind": [f"Expected one of: {', '.join(InstrumentKind.values)}."]})
        return Response(AssessmentSerializer(selectors.history(case, kind)[:200], many=True).data)


class PrefillView(ApiView):
    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=list(InstrumentKind.values), required=False)],
        responses={200: PrefillSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="The instrument in force and the answers the case file offers for it (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        kind = request.query_params.get("kind", InstrumentKind.RISK)
        if kind not in InstrumentKind.values:
            raise ValidationError({"kind": [f"Expected one of: {', '.join(InstrumentKind.values)}."]})
        today = local_today()
        instrument = instrument_in_force(kind, on=today)
        return Response(
            PrefillSerializer(
                {"instrument": instrument, "prefilled": prefill(spec_of(instrument), case, on=today)}
            ).data
        )


class AssessmentDetailView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("with", int, required=False, description="Another assessment of the case to compare with")
        ],
        responses={200: AssessmentSerializer, **READ},
        summary="One assessment with its breakdown (audited)",
        operation_id="cases_assessment_detail",
    )
    def get(self, request: Request, pk: int, record: int) -> Response:
        case = _visible(api_user(request), pk)
        assessment = _assessment(case, record)
        data = dict(AssessmentSerializer(assessment).data)
        other = request.query_params.get("with")
        if other is not None:
            older = _assessment(case, other) if other.isascii() and other.isdigit() else None
            if older is None or older.kind != assessment.kind or older.pk == assessment.pk:
                raise ValidationError({"with": ["Another assessment of the same kind of this case."]})
            first, second = sorted((older, assessment), key=lambda x: (x.assessed_on, x.pk))
            data["changes"] = [c.__dict__ for c in selectors.compare(first, second)]
        return Response(data)


class OverrideView(ApiView):
    @extend_schema(
        request=OverrideInputSerializer,
        responses={201: OverrideSerializer, **WRITE},
        summary="Ask to override the level of the latest risk assessment, with a reason",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        assessment = _assessment(case, record)
        form = OverrideInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        override = services.level_override_request(actor=user, assessment=assessment, **form.validated_data)
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class OverrideDecisionView(ApiView):
    @extend_schema(
        request=OverrideDecisionInputSerializer,
        responses={200: OverrideSerializer, **WRITE},
        summary="Countersign or refuse a level override (head of office)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        try:
            override = selectors.override_for_decision(user=user, case_pk=parse_pk(pk), pk=parse_pk(record))
        except LevelOverride.DoesNotExist:
            raise Case.DoesNotExist from None
        form = OverrideDecisionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decided = services.level_override_decide(
            actor=user, override=override, approve=form.validated_data["approve"], note=form.validated_data["note"]
        )
        return Response(OverrideSerializer(decided).data)


class InstrumentsView(ApiView):
    @extend_schema(
        responses={200: InstrumentSerializer(many=True)},
        summary="The approved instrument versions with their definitions",
    )
    def get(self, request: Request) -> Response:
        api_user(request)
        rows = Instrument.objects.filter(status=InstrumentStatus.APPROVED).order_by("key", "version")
        return Response(InstrumentSerializer(rows, many=True).data)

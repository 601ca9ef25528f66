"""Violations, the ladder, wanted/found and case tasks over the API. Thin: the case through
``cases.selectors`` (404 outside the jurisdiction, reads audited), writes through the services —
the same functions the pages call."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.cases.api import case_detail_body
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change
from openprobation.cases.serializers import CaseDetailSerializer
from openprobation.cases.services import case_task_complete
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.timeutil import local_today
from openprobation.enforcement import ladder
from openprobation.enforcement.models import Violation
from openprobation.enforcement.selectors import case_steps, case_tasks, case_violations, task_of_case, violation_of_case
from openprobation.enforcement.serializers import (
    CaseTaskSerializer,
    ExplanationSerializer,
    LadderSerializer,
    StatusChangeSerializer,
    StepInputSerializer,
    StepSerializer,
    TaskCompleteSerializer,
    ViolationDetailSerializer,
    ViolationInputSerializer,
    ViolationSerializer,
    ViolationTransitionSerializer,
)
from openprobation.enforcement.services import (
    StepInput,
    case_mark_found,
    case_mark_wanted,
    enforcement_step,
    violation_confirm,
    violation_explain,
    violation_record,
    violation_transition,
)

_WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _visible(user: User, pk: Any, part: str) -> Case:
    return case_detail(user=user, pk=parse_pk(pk), part=part)


def _to_change(user: User, pk: Any) -> Case:
    return case_for_change(user=user, pk=parse_pk(pk))


def _violation_detail(violation: Violation) -> dict[str, Any]:
    fresh = violation_of_case(case=violation.case, pk=violation.pk)
    return dict(ViolationDetailSerializer(fresh).data)


class ViolationListView(ApiView):
    @extend_schema(
        responses={200: ViolationSerializer(many=True), 404: ErrorSerializer},
        summary="The case's violations, newest first (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk, "violations")
        return Response(ViolationSerializer(case_violations(case=case), many=True).data)

    @extend_schema(
        request=ViolationInputSerializer,
        responses={201: ViolationDetailSerializer, **_WRITE},
        summary="Record a violation (idempotent on source and source_ref)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = ViolationInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        violation = violation_record(actor=user, case=case, **form.validated_data)
        return Response(_violation_detail(violation), status=status.HTTP_201_CREATED)


class ViolationDetailView(ApiView):
    @extend_schema(
        responses={200: ViolationDetailSerializer, 404: ErrorSerializer},
        summary="One violation with its history (audited)",
    )
    def get(self, request: Request, pk: int, record: int) -> Response:
        case = _visible(api_user(request), pk, "violation")
        return Response(ViolationDetailSerializer(violation_of_case(case=case, pk=parse_pk(record))).data)


class ViolationTransitionView(ApiView):
    @extend_schema(
        request=ViolationTransitionSerializer,
        responses={200: ViolationDetailSerializer, **_WRITE},
        summary="Confirm or dismiss a violation candidate, with a reason",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        violation = violation_of_case(case=case, pk=parse_pk(record))
        form = ViolationTransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        if v["to_status"] == "confirmed":
            violation_confirm(actor=user, violation=violation, reason=v["reason"], malicious=v["malicious"])
        else:
            violation_transition(actor=user, violation=violation, to_status=v["to_status"], reason=v["reason"])
        return Response(_violation_detail(violation))


class ViolationExplanationView(ApiView):
    @extend_schema(
        request=ExplanationSerializer,
        responses={200: ViolationDetailSerializer, **_WRITE},
        summary="Record the person's explanation of a confirmed violation",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        violation = violation_of_case(case=case, pk=parse_pk(record))
        form = ExplanationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        violation_explain(actor=user, violation=violation, **form.validated_data)
        return Response(_violation_detail(violation))


class EnforcementView(ApiView):
    @extend_schema(
        responses={200: LadderSerializer, 404: ErrorSerializer},
        summary="The ladder: steps taken, whether a submission is due, what is allowed now (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk, "enforcement")
        today = local_today()
        steps = list(case_steps(case=case))
        current = ladder.current_step(steps)
        grounds = ladder.submission_due(case, today)
        pending = ladder.pending_submission(case)
        body = {
            "steps": steps,
            "current_step": current.step if current else None,
            "submission_due": grounds.due,
            "submission_violations": [v.pk for v in grounds.violations],
            "pending_submission": pending.pk if pending else None,
            "early_cancellation": ladder.early_cancellation(case, today).possible,
            "allowed": {str(k): bool(v) for k, v in ladder.steps_allowed(case, on=today).items()},
        }
        return Response(LadderSerializer(body).data)

    @extend_schema(
        request=StepInputSerializer,
        responses={201: StepSerializer, **_WRITE},
        summary="Take a step of the ladder (warning, written warning, submission, the court's outcome)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = StepInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        step = enforcement_step(actor=user, case=case, data=StepInput(**form.validated_data))
        return Response(StepSerializer(step).data, status=status.HTTP_201_CREATED)


class WantedView(ApiView):
    @extend_schema(
        request=StatusChangeSerializer,
        responses={200: CaseDetailSerializer, **_WRITE},
        summary="Declare the person wanted (the case moves to wanted)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case_mark_wanted(actor=user, case=case, **form.validated_data)
        return Response(case_detail_body(user, case))


class FoundView(ApiView):
    @extend_schema(
        request=StatusChangeSerializer,
        responses={200: CaseDetailSerializer, **_WRITE},
        summary="The person is found: control resumes (wanted → active)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = StatusChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        case_mark_found(actor=user, case=case, **form.validated_data)
        return Response(case_detail_body(user, case))


class TaskListView(ApiView):
    @extend_schema(
        responses={200: CaseTaskSerializer(many=True), 404: ErrorSerializer},
        summary="The case's tasks, open first (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk, "tasks")
        return Response(CaseTaskSerializer(case_tasks(case=case), many=True).data)


class TaskCompleteView(ApiView):
    @extend_schema(
        request=TaskCompleteSerializer,
        responses={200: CaseTaskSerializer, **_WRITE},
        summary="Mark a task done (or cancelled, with a note saying why)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        task = task_of_case(case=case, pk=parse_pk(record))
        form = TaskCompleteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        done = case_task_complete(actor=user, task=task, **form.validated_data)
        return Response(CaseTaskSerializer(done).data)

"""Individual programmes over the API: the same selectors and services as the pages (scoping: the
case selectors, 404 outside the jurisdiction; permission and audit: the services)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.programmes import participants, selectors, services
from openprobation.programmes.capacity import capacity_report
from openprobation.programmes.models import Programme, ProgrammeStatus
from openprobation.programmes.serializers import (
    AgreementInputSerializer,
    CapacitySerializer,
    CloseInputSerializer,
    CopiesSerializer,
    GoalChangeInputSerializer,
    GoalInputSerializer,
    GoalSerializer,
    MeasureInputSerializer,
    MeasurePatchSerializer,
    MeasureSerializer,
    OpenInputSerializer,
    ParticipantInputSerializer,
    ParticipantSerializer,
    ProgrammeAnswerSerializer,
    ReviewInputSerializer,
    VersionDetailSerializer,
    VersionSerializer,
)

READ = {404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _visible(user: User, pk: Any) -> Case:
    return selectors.programme_case(user=user, pk=parse_pk(pk))


def _to_change(user: User, pk: Any) -> Case:
    """The case to act on: 404 outside the jurisdiction, 403 when the user may not change it
    (judged first, so a refused caller learns nothing about the programme)."""
    case = case_for_change(user=user, pk=parse_pk(pk))
    if not may(user, CaseAction.EDIT, case):
        raise PermissionDeniedError(_("You may not change this case."))
    return case


def _open_programme(case: Case) -> Programme:
    """The programme in work under the case (a closed one is finished: nothing to change)."""
    programme = selectors.case_programme(case)
    if programme is None or programme.status == ProgrammeStatus.CLOSED:
        raise DomainError(_("No programme is open for this case: open one first."), code="no_programme")
    return programme


def _answer(case: Case) -> dict[str, Any]:
    today = local_today()
    data = {
        "case": case.pk,
        "minor": selectors.is_minor(case.person, on=today),
        "programme": selectors.case_programme(case),
    }
    return dict(ProgrammeAnswerSerializer(data, context={"today": today}).data)


class ProgrammeView(ApiView):
    @extend_schema(
        responses={200: ProgrammeAnswerSerializer, **READ},
        summary="The individual programme run under the case: goals, measures with referrals, participants (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_answer(_visible(api_user(request), pk)))

    @extend_schema(
        request=OpenInputSerializer,
        responses={201: ProgrammeAnswerSerializer, **WRITE},
        summary="Open the person's programme as a draft (goals default to the needs assessment's needs)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = OpenInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        goals = (
            [services.GoalInput(domain=g["domain"], text=g["text"]) for g in d["goals"]]
            if d["goals"] is not None
            else None
        )
        measures = [
            services.MeasureInput(
                measure=m["measure"],
                due_on=m["due_on"],
                description=m["description"],
                organisation_id=m["organisation"],
                goal_id=m["goal"],
            )
            for m in d["measures"]
        ]
        services.programme_open(actor=user, case=case, study=d["study"], goals=goals, measures=measures)
        return Response(_answer(case), status=status.HTTP_201_CREATED)


class GoalsView(ApiView):
    @extend_schema(request=GoalInputSerializer, responses={201: GoalSerializer, **WRITE}, summary="Add a goal")
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = GoalInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        goal = services.goal_add(
            actor=user, programme=_open_programme(case), data=services.GoalInput(**form.validated_data)
        )
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalView(ApiView):
    @extend_schema(
        request=GoalChangeInputSerializer,
        responses={200: GoalSerializer, **WRITE},
        summary="Change a goal's wording, mark it achieved, or remove it",
    )
    def patch(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = GoalChangeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        goal = services.goal_change(
            actor=user,
            programme=_open_programme(case),
            goal_id=parse_pk(record),
            text=d.get("text"),
            achieved=d.get("achieved"),
            remove=d["remove"],
        )
        return Response(GoalSerializer(goal).data)


def _measure_input(d: dict[str, Any]) -> services.MeasureInput:
    return services.MeasureInput(
        measure=d["measure"],
        due_on=d["due_on"],
        description=d.get("description", ""),
        organisation_id=d.get("organisation"),
        goal_id=d.get("goal"),
    )


class MeasuresView(ApiView):
    @extend_schema(
        request=MeasureInputSerializer,
        responses={201: MeasureSerializer, **WRITE},
        summary="Add a measure from the catalogue (a responsible organisation serving the district)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = MeasureInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        measure = services.measure_add(
            actor=user, programme=_open_programme(case), data=_measure_input(form.validated_data)
        )
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)


class MeasureView(ApiView):
    @extend_schema(
        request=MeasurePatchSerializer,
        responses={200: MeasureSerializer, **WRITE},
        summary="Change a measure (what, by whom, by when) or record its progress (status, outcome)",
    )
    def patch(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        programme = _open_programme(case)
        measure = programme.measures.filter(pk=parse_pk(record)).first()
        if measure is None:
            raise Programme.DoesNotExist
        form = MeasurePatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        if "status" in d:
            measure = services.measure_progress(
                actor=user,
                programme=programme,
                measure_id=measure.pk,
                status=d["status"],
                outcome=d.get("outcome", ""),
                outcome_on=d.get("outcome_on"),
            )
        else:
            merged = {
                "measure": measure.measure,
                "due_on": measure.due_on,
                "description": measure.description,
                "organisation": measure.organisation_id,
                "goal": measure.goal_id,
                **d,
            }
            measure = services.measure_change(
                actor=user, programme=programme, measure_id=measure.pk, data=_measure_input(merged)
            )
        return Response(MeasureSerializer(measure).data)

    @extend_schema(responses={204: None, **WRITE}, summary="Take a measure out of the programme (not once referred)")
    def delete(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        services.measure_remove(actor=user, programme=_open_programme(case), measure_id=parse_pk(record))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParticipantsView(ApiView):
    @extend_schema(
        request=ParticipantInputSerializer,
        responses={201: ParticipantSerializer, **WRITE},
        summary="Involve a parent or guardian, the guardianship body or a child-rights organisation",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = ParticipantInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        participant = participants.participant_add(
            actor=user,
            programme=_open_programme(case),
            kind=d["kind"],
            family_member_id=d["family_member"],
            organisation_id=d["organisation"],
            name=d["name"],
            phone=d["phone"],
            email=d["email"],
            invited_on=d["invited_on"],
            copy_notices=d["copy_notices"],
        )
        return Response(ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)


class ParticipantView(ApiView):
    @extend_schema(responses={204: None, **WRITE}, summary="Take a participant out of the programme")
    def delete(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        participants.participant_remove(actor=user, programme=_open_programme(case), participant_id=parse_pk(record))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CopiesView(ApiView):
    @extend_schema(
        request=None,
        responses={200: CopiesSerializer, **WRITE},
        summary="The programme was handed to the person: queue the copy notice to each participant copied on notices",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        queued = participants.programme_send_copies(actor=user, programme=_open_programme(case))
        return Response(CopiesSerializer({"queued": queued}).data)


class AgreementView(ApiView):
    @extend_schema(
        request=AgreementInputSerializer,
        responses={200: ProgrammeAnswerSerializer, **WRITE},
        summary="Record the person's agreement or refusal of the current version (sets the next review)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = AgreementInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.programme_record_agreement(actor=user, programme=_open_programme(case), **form.validated_data)
        return Response(_answer(case))


class ReviewView(ApiView):
    @extend_schema(
        request=ReviewInputSerializer,
        responses={200: ProgrammeAnswerSerializer, **WRITE},
        summary="Record a review of the agreed programme (the next one is set from the rulebook)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = ReviewInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.programme_review_record(actor=user, programme=_open_programme(case), **form.validated_data)
        return Response(_answer(case))


class CloseView(ApiView):
    @extend_schema(
        request=CloseInputSerializer, responses={200: ProgrammeAnswerSerializer, **WRITE}, summary="Close the programme"
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = CloseInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.programme_close(actor=user, programme=_open_programme(case), **form.validated_data)
        return Response(_answer(case))


class VersionsView(ApiView):
    @extend_schema(
        responses={200: VersionSerializer(many=True), **READ},
        summary="The programme's answered versions, newest first, with what changed in each (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        programme = selectors.case_programme(case)
        rows = selectors.versions(programme) if programme else []
        return Response(VersionSerializer(rows, many=True).data)


class VersionView(ApiView):
    @extend_schema(
        responses={200: VersionDetailSerializer, **READ},
        summary="One version as frozen, with what changed since the previous one (audited)",
    )
    def get(self, request: Request, pk: int, record: int) -> Response:
        case = _visible(api_user(request), pk)
        programme = selectors.case_programme(case)
        if programme is None:
            raise Programme.DoesNotExist
        version = programme.versions.get(pk=parse_pk(record))
        return Response(VersionDetailSerializer(version).data)


class CapacityView(ApiView):
    @extend_schema(
        responses={200: CapacitySerializer, 403: ErrorSerializer},
        summary="Capacity against need per district: assessed needs, planned measures, referrals, partner places",
    )
    def get(self, request: Request) -> Response:
        report = capacity_report(user=api_user(request))
        return Response(CapacitySerializer(report).data)

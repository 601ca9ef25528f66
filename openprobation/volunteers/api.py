"""Volunteers and mentors over the API: the same selectors and services as the pages (scoping: the
volunteer and case selectors, 404 outside the jurisdiction; permission and audit: the services)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import api_user
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, parse_pk
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import PartnerOrganisation
from openprobation.volunteers import selectors, services
from openprobation.volunteers.models import Volunteer, VolunteerAssignment
from openprobation.volunteers.serializers import (
    AssignInputSerializer,
    AssignmentSerializer,
    CheckInputSerializer,
    EndInputSerializer,
    SessionInputSerializer,
    SessionSerializer,
    StatusInputSerializer,
    VolunteerCheckSerializer,
    VolunteerDetailSerializer,
    VolunteerInputSerializer,
    VolunteerListQuerySerializer,
    VolunteerPatchSerializer,
    VolunteerSerializer,
)

READ = {403: ErrorSerializer, 404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
PART = "volunteers"


def _volunteer(user: User, pk: Any) -> Volunteer:
    return selectors.volunteer_detail(user=user, pk=parse_pk(pk))


def _managed(user: User, pk: Any) -> Volunteer:
    volunteer = selectors.volunteer_for_change(user=user, pk=parse_pk(pk))
    if not selectors.may_manage(user, volunteer):
        raise exceptions.PermissionDenied()
    return volunteer


def _detail(volunteer: Volunteer) -> dict[str, Any]:
    context = {
        "eligibility": selectors.volunteer_eligibility(volunteer, local_today()),
        "sessions": selectors.volunteer_session_count(volunteer),
    }
    return dict(VolunteerDetailSerializer(volunteer, context=context).data)


def _offices(user: User, pks: list[int], *, extra: list[Office] | None = None) -> list[Office]:
    allowed = {o.pk: o for o in [*selectors.registry_offices(user), *(extra or [])]}
    unknown = [pk for pk in pks if pk not in allowed]
    if unknown:
        raise DomainError(_("Choose districts of your own jurisdiction."), field="offices")
    return [allowed[pk] for pk in dict.fromkeys(pks)]


def _organisation(pk: int | None) -> PartnerOrganisation | None:
    if pk is None:
        return None
    found = PartnerOrganisation.objects.filter(pk=pk).first()
    if found is None:
        raise DomainError(_("There is no such organisation."), field="organisation")
    return found


class VolunteersView(ApiView):
    pagination_class = Pagination  # the list is paged; the schema documents the page

    @extend_schema(
        parameters=[VolunteerListQuerySerializer],
        responses={200: VolunteerSerializer(many=True), **READ},
        summary="The volunteers and mentors of the caller's districts or region, with filters",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not selectors.may_read_registry(user):
            raise exceptions.PermissionDenied()
        params = VolunteerListQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.volunteer_list(
            user=user, filters=selectors.RegistryFilters(**params.validated_data), today=local_today()
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(VolunteerSerializer(page, many=True).data)

    @extend_schema(
        request=VolunteerInputSerializer,
        responses={201: VolunteerSerializer, **WRITE},
        summary="Register a volunteer or mentor for districts of the caller's jurisdiction",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        if not selectors.may_manage_registry(user):
            raise exceptions.PermissionDenied()
        form = VolunteerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        data = services.VolunteerInput(
            **{**d, "offices": _offices(user, d["offices"]), "organisation": _organisation(d["organisation"])}
        )
        volunteer = services.volunteer_register(actor=user, data=data)
        return Response(VolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)


class VolunteerView(ApiView):
    @extend_schema(
        responses={200: VolunteerDetailSerializer, **READ},
        summary="A volunteer: details, checks, whether they may be assigned today, sessions logged (audited)",
    )
    def get(self, request: Request, record: int) -> Response:
        return Response(_detail(_volunteer(api_user(request), record)))

    @extend_schema(
        request=VolunteerPatchSerializer,
        responses={200: VolunteerDetailSerializer, **WRITE},
        summary="Edit a volunteer's details or districts (only the fields given change)",
    )
    def patch(self, request: Request, record: int) -> Response:
        user = api_user(request)
        volunteer = _managed(user, record)
        form = VolunteerPatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        current = list(volunteer.offices.all())
        data = services.VolunteerInput(
            full_name=d.get("full_name", volunteer.full_name),
            offices=_offices(user, d["offices"], extra=current) if "offices" in d else current,
            kind=d.get("kind", volunteer.kind),
            iin=d.get("iin", volunteer.iin),
            phone=d.get("phone", volunteer.phone),
            email=d.get("email", volunteer.email),
            languages=d.get("languages", volunteer.languages),
            organisation=_organisation(d["organisation"]) if "organisation" in d else volunteer.organisation,
            note=d.get("note", volunteer.note),
        )
        updated = services.volunteer_update(actor=user, volunteer=volunteer, data=data)
        return Response(_detail(updated))


class VolunteerChecksView(ApiView):
    @extend_schema(
        responses={200: VolunteerCheckSerializer(many=True), **READ}, summary="A volunteer's checks (audited)"
    )
    def get(self, request: Request, record: int) -> Response:
        volunteer = _volunteer(api_user(request), record)
        return Response(VolunteerCheckSerializer(selectors.volunteer_checks(volunteer), many=True).data)

    @extend_schema(
        request=CheckInputSerializer,
        responses={201: VolunteerCheckSerializer, **WRITE},
        summary="Record a check or training (valid for the months of the rule volunteers.checks)",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        volunteer = _managed(user, record)
        form = CheckInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        check = services.volunteer_check_record(actor=user, volunteer=volunteer, **form.validated_data)
        return Response(VolunteerCheckSerializer(check).data, status=status.HTTP_201_CREATED)


class VolunteerStatusView(ApiView):
    @extend_schema(
        request=StatusInputSerializer,
        responses={200: VolunteerSerializer, **WRITE},
        summary="Suspend or reactivate a volunteer, or record that they left (with a reason)",
    )
    def post(self, request: Request, record: int) -> Response:
        user = api_user(request)
        volunteer = _managed(user, record)
        form = StatusInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        moved = services.volunteer_set_status(actor=user, volunteer=volunteer, **form.validated_data)
        return Response(VolunteerSerializer(moved).data)


# --- On a case ------------------------------------------------------------------------------------------


def _case(user: User, pk: Any) -> Case:
    return case_detail(user=user, pk=parse_pk(pk), part=PART)


def _case_to_change(user: User, pk: Any) -> Case:
    return case_for_change(user=user, pk=parse_pk(pk))


def _assignment_of(case: Case, record: Any) -> VolunteerAssignment:
    return selectors.case_assignment(case, parse_pk(record))


class CaseVolunteersView(ApiView):
    @extend_schema(
        responses={200: AssignmentSerializer(many=True), **READ},
        summary="The volunteers and mentors assigned to the person of the case (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _case(api_user(request), pk)
        return Response(AssignmentSerializer(selectors.case_assignments(case), many=True).data)

    @extend_schema(
        request=AssignInputSerializer,
        responses={201: AssignmentSerializer, **WRITE},
        summary="Assign a volunteer serving the case's district, with the person's consent (eligibility checked)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        form = AssignInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        assignment = services.volunteer_assign(
            actor=user,
            case=case,
            data=services.AssignInput(
                volunteer_id=d["volunteer"],
                consent_on=d["consent_on"],
                consent_note=d["consent_note"],
                started_on=d["started_on"],
            ),
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class CaseVolunteerSessionsView(ApiView):
    @extend_schema(
        responses={200: SessionSerializer(many=True), **READ}, summary="Support sessions of an assignment (audited)"
    )
    def get(self, request: Request, pk: int, record: int) -> Response:
        assignment = _assignment_of(_case(api_user(request), pk), record)
        return Response(SessionSerializer(selectors.assignment_sessions(assignment), many=True).data)

    @extend_schema(
        request=SessionInputSerializer,
        responses={201: SessionSerializer, **WRITE},
        summary="Log a support session the volunteer reported (1 to 720 minutes, not in the future)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        assignment = _assignment_of(case, record)
        form = SessionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        session = services.session_log(
            actor=user, case=case, assignment_id=assignment.pk, data=services.SessionInput(**form.validated_data)
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class CaseVolunteerEndView(ApiView):
    @extend_schema(
        request=EndInputSerializer,
        responses={200: AssignmentSerializer, **WRITE},
        summary="End a volunteer's assignment, with the reason",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _case_to_change(user, pk)
        assignment = _assignment_of(case, record)
        form = EndInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        ended = services.assignment_end(actor=user, case=case, assignment_id=assignment.pk, **form.validated_data)
        return Response(AssignmentSerializer(ended).data)

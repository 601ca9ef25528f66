"""Employment over the API: the same selectors, services and figures as the pages (scoping: the case
selectors and ``selectors.district_office``, 404 outside the jurisdiction; permission and audit:
the services)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import api_user
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.timeutil import local_today
from openprobation.employment import case_services, figures, selectors, services
from openprobation.employment.models import EmploymentReferral, Placement, Vacancy
from openprobation.employment.serializers import (
    CaseEmploymentSerializer,
    EmploymentFiguresSerializer,
    EmploymentReferralExpireInputSerializer,
    EmploymentReferralInputSerializer,
    EmploymentReferralSerializer,
    EmploymentStatusChangeSerializer,
    EmploymentStatusInputSerializer,
    EmploymentYearQuerySerializer,
    JobPlacementEndInputSerializer,
    JobPlacementInputSerializer,
    JobPlacementSerializer,
    JobRefusalInputSerializer,
    JobRefusalSerializer,
    QuotaInputSerializer,
    QuotaListSerializer,
    QuotaRowSerializer,
    VacancyCloseInputSerializer,
    VacancyInputSerializer,
    VacancyQuerySerializer,
    VacancySerializer,
)

READ = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _office(user: User, pk: Any, roles: frozenset[str] = services.DISTRICT_ROLES) -> Office:
    return selectors.district_office(user=user, pk=parse_pk(pk), roles=roles)


def _year(request: Request) -> int:
    params = EmploymentYearQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return int(params.validated_data.get("year") or local_today().year)


def _valid(serializer: Any) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class QuotasView(ApiView):
    @extend_schema(
        parameters=[EmploymentYearQuerySerializer],
        responses={200: QuotaListSerializer, **READ},
        summary="The district's job quotas of a year with their usage (places, used, ended early, free)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        office = _office(user, pk)
        year = _year(request)
        selectors.district_read(user=user, office=office, part="quotas")
        data = {"office": office.pk, "year": year, "quotas": selectors.quota_rows(office=office, year=year)}
        return Response(QuotaListSerializer(data).data)

    @extend_schema(
        request=QuotaInputSerializer,
        responses={200: QuotaRowSerializer, **WRITE},
        summary="Record or change an employer's quota of a year in the district (head of office, regional admin)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        office = _office(user, pk, services.QUOTA_ROLES)
        d = _valid(QuotaInputSerializer(data=request.data))
        quota = services.quota_set(
            actor=user,
            office=office,
            employer_id=d["employer"],
            year=d["year"],
            places=d["places"],
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            note=d["note"],
        )
        row = selectors.QuotaRow(quota=quota, usage=services.usage_of(quota))
        return Response(QuotaRowSerializer(row).data)


class VacanciesView(ApiView):
    @extend_schema(
        parameters=[VacancyQuerySerializer],
        responses={200: VacancySerializer(many=True), **READ},
        summary="The district's vacancies",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        office = _office(user, pk)
        params = _valid(VacancyQuerySerializer(data=request.query_params))
        selectors.district_read(user=user, office=office, part="vacancies")
        rows = selectors.vacancies(office=office, status=params.get("status", ""))[:500]
        return Response(VacancySerializer(rows, many=True).data)

    @extend_schema(
        request=VacancyInputSerializer, responses={201: VacancySerializer, **WRITE}, summary="Record a vacancy"
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        office = _office(user, pk)
        d = _valid(VacancyInputSerializer(data=request.data))
        vacancy = services.vacancy_open(
            actor=user,
            office=office,
            employer_id=d["employer"],
            title=d["title"],
            places=d["places"],
            wage=d["wage"],
            requirements=d["requirements"],
            opened_on=d["opened_on"],
            counts_toward_quota=d["counts_toward_quota"],
        )
        return Response(VacancySerializer(vacancy).data, status=status.HTTP_201_CREATED)


class VacancyCloseView(ApiView):
    @extend_schema(
        request=VacancyCloseInputSerializer,
        responses={200: VacancySerializer, **WRITE},
        summary="Close a vacancy (filled or withdrawn)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        office = _office(user, pk)
        vacancy = Vacancy.objects.filter(office=office, pk=parse_pk(record)).first()
        if vacancy is None:
            raise exceptions.NotFound()
        d = _valid(VacancyCloseInputSerializer(data=request.data))
        vacancy = services.vacancy_close(
            actor=user, vacancy=vacancy, status=d["outcome"], on=d["on"], reason=d["reason"]
        )
        return Response(VacancySerializer(vacancy).data)


class FiguresView(ApiView):
    @extend_schema(
        parameters=[EmploymentYearQuerySerializer],
        responses={200: EmploymentFiguresSerializer, **READ},
        summary="District figures of a year: people needing work, referred, placed, refusals, quota places and use",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not figures.may_see_figures(user):
            raise exceptions.PermissionDenied()
        data = figures.district_figures(user=user, year=_year(request))
        body = {
            "year": data.year,
            "districts": [row.as_dict() for row in data.rows],
            "total": data.total.as_dict(),
        }
        return Response(EmploymentFiguresSerializer(body).data)


# --- A case's records ----------------------------------------------------------------------------------------


def _to_change(user: User, pk: Any) -> Case:
    return case_for_change(user=user, pk=parse_pk(pk))


class CaseEmploymentView(ApiView):
    @extend_schema(
        responses={200: CaseEmploymentSerializer, **READ},
        summary="The person's employment status history and the case's referrals, placements, refusals (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = selectors.employment_case(user=api_user(request), pk=parse_pk(pk))
        return Response(CaseEmploymentSerializer(selectors.case_employment(case=case)).data)


class ReferralsView(ApiView):
    @extend_schema(
        request=EmploymentReferralInputSerializer,
        responses={201: EmploymentReferralSerializer, **WRITE},
        summary="Record a referral the employment centre issued (to a vacancy or an employer)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        d = _valid(EmploymentReferralInputSerializer(data=request.data))
        referral = case_services.referral_issue(
            actor=user,
            case=case,
            centre_id=d["centre"],
            vacancy_id=d["vacancy"],
            employer_id=d["employer"],
            number=d["number"],
            issued_on=d["issued_on"],
            note=d["note"],
        )
        return Response(EmploymentReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralExpireView(ApiView):
    @extend_schema(
        request=EmploymentReferralExpireInputSerializer,
        responses={200: EmploymentReferralSerializer, **WRITE},
        summary="Record that a referral lapsed",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        if not EmploymentReferral.objects.filter(case=case, pk=parse_pk(record)).exists():
            raise exceptions.NotFound()
        d = _valid(EmploymentReferralExpireInputSerializer(data=request.data))
        referral = case_services.referral_expire(
            actor=user, case=case, referral_id=parse_pk(record), on=d["on"], reason=d["reason"]
        )
        return Response(EmploymentReferralSerializer(referral).data)


class PlacementsView(ApiView):
    @extend_schema(
        request=JobPlacementInputSerializer,
        responses={201: JobPlacementSerializer, **WRITE},
        summary="Record a placement (refused beyond the employer's quota unless outside_quota)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        d = _valid(JobPlacementInputSerializer(data=request.data))
        placement = case_services.placement_start(
            actor=user,
            case=case,
            position=d["position"],
            started_on=d["started_on"],
            employer_id=d["employer"],
            referral_id=d["referral"],
            vacancy_id=d["vacancy"],
            outside_quota=d["outside_quota"],
        )
        return Response(JobPlacementSerializer(placement).data, status=status.HTTP_201_CREATED)


class PlacementEndView(ApiView):
    @extend_schema(
        request=JobPlacementEndInputSerializer,
        responses={200: JobPlacementSerializer, **WRITE},
        summary="Record the end of a placement",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        if not Placement.objects.filter(case=case, pk=parse_pk(record)).exists():
            raise exceptions.NotFound()
        d = _valid(JobPlacementEndInputSerializer(data=request.data))
        placement = case_services.placement_end(actor=user, case=case, placement_id=parse_pk(record), **d)
        return Response(JobPlacementSerializer(placement).data)


class RefusalsView(ApiView):
    @extend_schema(
        request=JobRefusalInputSerializer,
        responses={201: JobRefusalSerializer, **WRITE},
        summary="Record a refusal of work (without a good reason it is recorded against the duty to work)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        d = _valid(JobRefusalInputSerializer(data=request.data))
        refusal = case_services.refusal_record(
            actor=user,
            case=case,
            refused_on=d["refused_on"],
            reason=d["reason"],
            good_reason=d["good_reason"],
            referral_id=d["referral"],
            employer_id=d["employer"],
            vacancy_id=d["vacancy"],
        )
        return Response(JobRefusalSerializer(refusal).data, status=status.HTTP_201_CREATED)


class StatusView(ApiView):
    @extend_schema(
        request=EmploymentStatusInputSerializer,
        responses={201: EmploymentStatusChangeSerializer, **WRITE},
        summary="Record the person's employment status as staff learned it",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        d = _valid(EmploymentStatusInputSerializer(data=request.data))
        row = case_services.status_record(
            actor=user, case=case, status=d["employment_status"], since=d["since"], note=d["note"]
        )
        return Response(EmploymentStatusChangeSerializer(row).data, status=status.HTTP_201_CREATED)

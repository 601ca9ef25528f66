"""Labour duties over the API: the same selectors and services as the pages (scoping: the case
selectors, 404 outside the jurisdiction; permission and audit: the services)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.timeutil import local_today
from openprobation.labour import selectors, services
from openprobation.labour.models import EmploymentDuty, JobOffer
from openprobation.labour.serializers import (
    AnswerInputSerializer,
    DecisionSerializer,
    EmploymentAnswerSerializer,
    EmploymentInputSerializer,
    ForcedLabourAnswerSerializer,
    HoursInputSerializer,
    HoursPageSerializer,
    HoursQuerySerializer,
    HoursSerializer,
    OfferInputSerializer,
    OfferSerializer,
    ReferralInputSerializer,
    ReferralSerializer,
    RejudgeInputSerializer,
)

READ = {404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _visible(user: User, pk: Any) -> Case:
    return selectors.labour_case(user=user, pk=parse_pk(pk))


def _to_change(user: User, pk: Any) -> Case:
    return case_for_change(user=user, pk=parse_pk(pk))


def _employment(user: User, case: Case) -> dict[str, Any]:
    duty = selectors.employment_duty(case=case)
    return dict(EmploymentAnswerSerializer({"case": case.pk, "duty": duty}, context={"today": local_today()}).data)


class ForcedLabourView(ApiView):
    @extend_schema(
        responses={200: ForcedLabourAnswerSerializer, **READ},
        summary="Forced labour this sentence year: owed, done, expected pro rata, shortfall (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        today = local_today()
        data = {"case": case.pk, "on": today, "forced_labour": selectors.forced_labour_status(case, today)}
        return Response(ForcedLabourAnswerSerializer(data).data)


class ForcedLabourRejudgeView(ApiView):
    @extend_schema(
        request=RejudgeInputSerializer,
        responses={201: DecisionSerializer, **WRITE},
        summary="Judge the forced-labour exemptions again on the circumstances recorded now, with a reason",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = RejudgeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        decision = services.forced_labour_rejudge(actor=user, case=case, reason=form.validated_data["reason"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class HoursView(ApiView):
    @extend_schema(
        parameters=[HoursQuerySerializer],
        responses={200: HoursPageSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Forced-labour hours of the case, newest day first, paged (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        params = HoursQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = selectors.hours_page(case=case, page=params.validated_data["page"])
        data = {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": list(page.object_list),
        }
        return Response(HoursPageSerializer(data).data)

    @extend_schema(
        request=HoursInputSerializer,
        responses={201: HoursSerializer, **WRITE},
        summary="Log hours of forced labour worked on one day (at most the rulebook's daily maximum)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = HoursInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        entry = services.labour_hours_log(
            actor=user,
            case=case,
            data=services.HoursInput(
                worked_on=d["worked_on"], hours=d["hours"], organisation=d["organisation"], note=d["note"]
            ),
        )
        return Response(HoursSerializer(entry).data, status=status.HTTP_201_CREATED)


class EmploymentView(ApiView):
    @extend_schema(
        responses={200: EmploymentAnswerSerializer, **READ},
        summary="The duty to work or study: deadline, status, referrals and offers (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        return Response(_employment(user, _visible(user, pk)))

    @extend_schema(
        request=EmploymentInputSerializer,
        responses={200: EmploymentAnswerSerializer, **WRITE},
        summary="Record that the person works, studies, seeks work again, or that the duty ended",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = EmploymentInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.employment_record(actor=user, case=case, **form.validated_data)
        return Response(_employment(user, case))


class ReferralsView(ApiView):
    @extend_schema(responses={200: ReferralSerializer(many=True), **READ}, summary="Job referrals (audited)")
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        duty = EmploymentDuty.objects.filter(case=case).first()
        rows = list(duty.referrals.select_related("issued_by")) if duty else []
        return Response(ReferralSerializer(rows, many=True).data)

    @extend_schema(
        request=ReferralInputSerializer,
        responses={201: ReferralSerializer, **WRITE},
        summary="Record a referral to the employment centre or an employer",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = ReferralInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        referral = services.job_referral_record(actor=user, case=case, **form.validated_data)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


class OffersView(ApiView):
    @extend_schema(responses={200: OfferSerializer(many=True), **READ}, summary="Job offers and answers (audited)")
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        return Response(OfferSerializer(JobOffer.objects.filter(duty__case=case), many=True).data)

    @extend_schema(
        request=OfferInputSerializer, responses={201: OfferSerializer, **WRITE}, summary="Record a job offer"
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        form = OfferInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        offer = services.job_offer_record(
            actor=user,
            case=case,
            employer=d["employer"],
            position=d["position"],
            offered_on=d["offered_on"],
            referral_id=d["referral"],
        )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class OfferAnswerView(ApiView):
    @extend_schema(
        request=AnswerInputSerializer,
        responses={200: OfferSerializer, **WRITE},
        summary="Record the person's answer (a refusal without good reason makes a violation candidate)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = _to_change(user, pk)
        offer_pk = parse_pk(record)
        if not JobOffer.objects.filter(duty__case=case, pk=offer_pk).exists():
            raise JobOffer.DoesNotExist
        form = AnswerInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        offer = services.job_offer_answer(actor=user, case=case, offer_id=offer_pk, **form.validated_data)
        return Response(OfferSerializer(offer).data)

"""Partner organisations, referrals and the partner portal over the API: the same selectors and
services as the pages (scoping: the selectors, 404 outside it; permission and audit: the services)."""

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
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.programmes import organisations as registry
from openprobation.programmes import referral_selectors as selectors
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import PartnerOrganisation, ProgrammeMeasure, ReferralStatus
from openprobation.programmes.referral_serializers import (
    AssistanceReferralDetailSerializer,
    AssistanceReferralInputSerializer,
    AssistanceReferralQuerySerializer,
    AssistanceReferralSerializer,
    AssistanceReferralTransitionSerializer,
    PartnerOrganisationInputSerializer,
    PartnerOrganisationPatchSerializer,
    PartnerOrganisationQuerySerializer,
    PartnerOrganisationSerializer,
    PortalActionSerializer,
    PortalQuerySerializer,
    PortalReferralDetailSerializer,
    PortalReferralSerializer,
)

READ = {404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


# --- Organisations ------------------------------------------------------------------------------------------


def _offices(ids: list[int], region_id: int | None) -> list[Office]:
    found = list(Office.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError(_("Unknown office."), field="districts")
    return found


def _org_input(data: dict[str, Any], region_id: int | None, base: PartnerOrganisation | None = None) -> Any:
    def pick(name: str, default: Any) -> Any:
        return data.get(name, default)

    districts = (
        _offices(data["districts"], region_id) if "districts" in data else list(base.districts.all()) if base else []
    )
    return registry.OrganisationInput(
        name=pick("name", base.name if base else ""),
        name_kk=pick("name_kk", base.name_kk if base else ""),
        kind=pick("kind", base.kind if base else ""),
        bin=pick("bin", base.bin if base else ""),
        districts=districts,
        services=pick("services", list(base.services or []) if base else []),
        capacity=pick("capacity", base.capacity if base else None),
        capacity_period=pick("capacity_period", base.capacity_period if base else "month"),
        contact_person=pick("contact_person", base.contact_person if base else ""),
        phone=pick("phone", base.phone if base else ""),
        email=pick("email", base.email if base else ""),
        address=pick("address", base.address if base else ""),
        languages=pick("languages", list(base.languages or []) if base else []),
        active=pick("active", base.active if base else True),
    )


class OrganisationsView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.CASE_VIEW)]

    @extend_schema(
        operation_id="partner_organisations_list",
        parameters=[PartnerOrganisationQuerySerializer],
        responses={200: PartnerOrganisationSerializer(many=True), 400: ErrorSerializer},
        summary="Partner organisations of the caller's region (national staff: all), filtered",
    )
    def get(self, request: Request) -> Response:
        params = PartnerOrganisationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = registry.OrganisationFilters(**params.validated_data)
        rows = registry.organisation_list(user=api_user(request), filters=filters)[:500]
        return Response(PartnerOrganisationSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="partner_organisations_create",
        request=PartnerOrganisationInputSerializer,
        responses={201: PartnerOrganisationSerializer, **WRITE},
        summary="Register a partner organisation in the caller's region (head of office, regional admin)",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        form = PartnerOrganisationInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        org = registry.organisation_create(
            actor=user, data=_org_input(form.validated_data, registry.user_region_id(user))
        )
        return Response(PartnerOrganisationSerializer(org).data, status=status.HTTP_201_CREATED)


class OrganisationView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.CASE_VIEW)]

    @extend_schema(
        operation_id="partner_organisation_read",
        responses={200: PartnerOrganisationSerializer, **READ},
        summary="One partner organisation",
    )
    def get(self, request: Request, pk: int) -> Response:
        org = registry.organisation_detail(user=api_user(request), pk=parse_pk(pk))
        return Response(PartnerOrganisationSerializer(org).data)

    @extend_schema(
        operation_id="partner_organisation_update",
        request=PartnerOrganisationPatchSerializer,
        responses={200: PartnerOrganisationSerializer, **WRITE},
        summary="Change a partner organisation (``active: false`` deactivates it; nothing is deleted)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        org = registry.organisation_detail(user=user, pk=parse_pk(pk))
        form = PartnerOrganisationPatchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        updated = registry.organisation_update(
            actor=user, organisation=org, data=_org_input(form.validated_data, org.region_id, org)
        )
        return Response(PartnerOrganisationSerializer(updated).data)


# --- Referrals of a case -----------------------------------------------------------------------------------


def _visible(user: User, pk: Any) -> Case:
    return selectors.referral_case(user=user, pk=parse_pk(pk))


class CaseReferralsView(ApiView):
    @extend_schema(
        operation_id="case_referrals_list",
        responses={200: AssistanceReferralSerializer(many=True), **READ},
        summary="The case's referrals to partners, newest first (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _visible(api_user(request), pk)
        rows = selectors.case_referrals(case=case)
        return Response(AssistanceReferralSerializer(rows, many=True, context={"today": local_today()}).data)

    @extend_schema(
        operation_id="case_referrals_create",
        request=AssistanceReferralInputSerializer,
        responses={201: AssistanceReferralSerializer, **WRITE},
        summary="Refer a measure of the case's programme to a partner organisation (a draft, or sent)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        form = AssistanceReferralInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        measure = ProgrammeMeasure.objects.filter(pk=d["measure"], programme__case=case).first()
        if measure is None:
            raise DomainError(_("This measure is not part of this case's programme."), field="measure")
        org = PartnerOrganisation.objects.filter(pk=d["organisation"]).first()
        if org is None or not registry.organisation_qs_for_user(user).filter(pk=org.pk).exists():
            raise DomainError(_("Unknown organisation."), field="organisation")
        referral = services.referral_create(
            actor=user,
            case=case,
            measure=measure,
            data=services.ReferralInput(
                organisation=org, request=d["request"], share_phone=d["share_phone"], complete_due=d["complete_due"]
            ),
            send=d["send"],
        )
        return Response(
            AssistanceReferralSerializer(referral, context={"today": local_today()}).data,
            status=status.HTTP_201_CREATED,
        )


class CaseReferralView(ApiView):
    @extend_schema(
        operation_id="case_referral_read",
        responses={200: AssistanceReferralDetailSerializer, **READ},
        summary="One referral of the case with its history (audited)",
    )
    def get(self, request: Request, pk: int, record: int) -> Response:
        case = _visible(api_user(request), pk)
        referral = selectors.case_referral(case=case, record=parse_pk(record))
        return Response(AssistanceReferralDetailSerializer(referral, context={"today": local_today()}).data)


class CaseReferralTransitionView(ApiView):
    @extend_schema(
        operation_id="case_referral_transition",
        request=AssistanceReferralTransitionSerializer,
        responses={200: AssistanceReferralSerializer, **WRITE},
        summary="Send a draft referral, or cancel one (with a reason)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        referral = selectors.case_referral(case=case, record=parse_pk(record))
        form = AssistanceReferralTransitionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        if d["to_status"] == ReferralStatus.SENT:
            referral = services.referral_send(actor=user, referral=referral, complete_due=d["complete_due"])
        else:
            referral = services.referral_cancel(actor=user, referral=referral, reason=d["reason"])
        return Response(AssistanceReferralSerializer(referral, context={"today": local_today()}).data)


class ReferralsView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.CASE_VIEW)]

    @extend_schema(
        operation_id="referrals_list",
        parameters=[AssistanceReferralQuerySerializer],
        responses={200: AssistanceReferralSerializer(many=True), 400: ErrorSerializer},
        summary="Referrals of the cases of the caller's jurisdiction: open, waiting, overdue or all (audited)",
    )
    def get(self, request: Request) -> Response:
        params = AssistanceReferralQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        today = local_today()
        rows = selectors.office_referrals(user=api_user(request), today=today, **params.validated_data)
        return Response(AssistanceReferralSerializer(rows, many=True, context={"today": today}).data)


# --- The partner portal -------------------------------------------------------------------------------------


class PortalReferralsView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.PARTNER_PORTAL)]

    @extend_schema(
        operation_id="partner_referrals_list",
        parameters=[PortalQuerySerializer],
        responses={200: PortalReferralSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Partner portal: the referrals addressed to the caller's organisation (audited)",
    )
    def get(self, request: Request) -> Response:
        params = PortalQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = selectors.portal_referrals(
            user=api_user(request), view=params.validated_data["view"], today=local_today()
        )
        return Response(PortalReferralSerializer(rows, many=True).data)


class PortalReferralView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.PARTNER_PORTAL)]

    @extend_schema(
        operation_id="partner_referral_read",
        responses={200: PortalReferralDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Partner portal: one referral addressed to the caller's organisation (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        card = selectors.portal_referral(user=api_user(request), pk=parse_pk(pk), today=local_today())
        return Response(PortalReferralDetailSerializer(card).data)


class PortalReferralActionView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.PARTNER_PORTAL)]

    @extend_schema(
        operation_id="partner_referral_action",
        request=PortalActionSerializer,
        responses={200: PortalReferralDetailSerializer, **WRITE},
        summary="Partner portal: accept, decline (note = reason), start, update (note) or complete "
        "(note = outcome, achieved)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        referral = selectors.portal_referral_for_change(user=user, pk=parse_pk(pk))
        form = PortalActionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        services.referral_partner_act(
            actor=user, referral=referral, action=d["action"], note=d["note"], achieved=d["achieved"]
        )
        card = selectors.portal_referral(user=user, pk=referral.pk, today=local_today())
        return Response(PortalReferralDetailSerializer(card).data)

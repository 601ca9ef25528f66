"""Release plans over the API: the same selectors and services as the pages (scoping: the case
selectors and the receiving office's reading, 404 otherwise; permission and audit: the services)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.models import User
from openprobation.accounts.permissions import api_user
from openprobation.accounts.roles import Cap, has_cap
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.releases import handover, selectors, services
from openprobation.releases.models import ReleasePlan
from openprobation.releases.readiness import plan_readiness
from openprobation.releases.serializers import (
    ReleaseCancelInputSerializer,
    ReleaseHandoverAnswerSerializer,
    ReleaseHandoverDetailsInputSerializer,
    ReleaseHandoverInputSerializer,
    ReleaseItemInputSerializer,
    ReleaseItemSerializer,
    ReleasePlanAnswerSerializer,
    ReleasePlanListQuerySerializer,
    ReleasePlanSerializer,
)

READ = {404: ErrorSerializer}
WRITE = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _answer(user: User, pk: Any) -> dict[str, Any]:
    on = local_today()
    view = selectors.plan_view(user=user, pk=parse_pk(pk), on=on)
    context = {"readiness": {view.plan.pk: view.readiness}} if view.plan else {}
    data = {"case": view.case.pk, "receiving": view.receiving, "may_change": view.may_change, "plan": view.plan}
    return dict(ReleasePlanAnswerSerializer(data, context=context).data)


def _plan_to_change(user: User, pk: Any) -> ReleasePlan:
    """The plan of a case the user may see (its service checks the change and records it)."""
    case = case_for_change(user=user, pk=parse_pk(pk))
    return ReleasePlan.objects.select_related("case").get(case=case)


def _plan_json(user: User, plan: ReleasePlan) -> dict[str, Any]:
    on = local_today()
    fresh = ReleasePlan.objects.select_related("case", "person").prefetch_related("items").get(pk=plan.pk)
    readiness = plan_readiness(fresh, on=on)
    return dict(ReleasePlanSerializer(fresh, context={"readiness": {fresh.pk: readiness}}).data)


class PlanView(ApiView):
    @extend_schema(
        responses={200: ReleasePlanAnswerSerializer, **READ},
        summary="The release plan of a penitentiary case, with its items and readiness (audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_answer(api_user(request), pk))

    @extend_schema(
        request=None,
        responses={201: ReleasePlanAnswerSerializer, **WRITE},
        summary="Open the release plan now (an item for each of the eight areas)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case = case_for_change(user=user, pk=parse_pk(pk))
        services.release_plan_open(actor=user, case=case)
        return Response(_answer(user, pk), status=status.HTTP_201_CREATED)


class ItemView(ApiView):
    @extend_schema(
        request=ReleaseItemInputSerializer,
        responses={200: ReleaseItemSerializer, **WRITE},
        summary="Update an item: status, owner, due date, note (kept in the plan's history)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        plan = _plan_to_change(user, pk)
        item_pk = parse_pk(record)
        if not plan.items.filter(pk=item_pk).exists():
            raise Case.DoesNotExist
        form = ReleaseItemInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        item = services.release_item_update(
            actor=user,
            plan=plan,
            item_id=item_pk,
            data=services.ItemInput(
                status=d["status"],
                owner_name=d["owner_name"],
                owner_organisation_id=d["owner_organisation"],
                owner_user_id=d["owner_user"],
                due_on=d["due_on"],
                note=d["note"],
            ),
        )
        return Response(ReleaseItemSerializer(item).data)


class HandoverDetailsView(ApiView):
    @extend_schema(
        request=ReleaseHandoverDetailsInputSerializer,
        responses={200: ReleasePlanSerializer, **WRITE},
        summary="Set the receiving office and what the person is released to (parole, deferral: the decision)",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        plan = _plan_to_change(user, pk)
        form = ReleaseHandoverDetailsInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = dict(form.validated_data)
        d["receiving_office_id"] = d.pop("receiving_office")
        plan = services.release_plan_set_handover(actor=user, plan=plan, data=services.HandoverDetails(**d))
        return Response(_plan_json(user, plan))


class HandoverView(ApiView):
    @extend_schema(
        request=ReleaseHandoverInputSerializer,
        responses={201: ReleaseHandoverAnswerSerializer, **WRITE},
        summary="Hand over now (an early release): open the receiving office's case, carry the programme",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        plan = _plan_to_change(user, pk)
        form = ReleaseHandoverInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        new_case = handover.release_plan_handover(actor=user, plan=plan, released_on=form.validated_data["released_on"])
        data = {"plan": _plan_json(user, plan), "new_case": new_case.pk, "new_case_number": new_case.number}
        return Response(data, status=status.HTTP_201_CREATED)


class CancelView(ApiView):
    @extend_schema(
        request=ReleaseCancelInputSerializer,
        responses={200: ReleasePlanSerializer, **WRITE},
        summary="Cancel the release plan with a reason",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        plan = _plan_to_change(user, pk)
        form = ReleaseCancelInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        plan = services.release_plan_cancel(actor=user, plan=plan, reason=form.validated_data["reason"])
        return Response(_plan_json(user, plan))


class PlanListView(ApiView):
    @extend_schema(
        parameters=[ReleasePlanListQuerySerializer],
        responses={200: ReleasePlanSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Release plans of your offices by release date, or of people arriving in your jurisdiction (audited)",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not has_cap(user, Cap.CASE_VIEW):
            raise PermissionDeniedError(_("You may not see release plans."))
        params = ReleasePlanListQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = local_today()
        if params.validated_data["arriving"]:
            rows = selectors.arriving_plans(user=user, on=on)
        else:
            rows = selectors.office_plans(user=user, on=on, status=params.validated_data["status"])
        context = {"readiness": {row.plan.pk: row.readiness for row in rows}}
        return Response(ReleasePlanSerializer([row.plan for row in rows], many=True, context=context).data)

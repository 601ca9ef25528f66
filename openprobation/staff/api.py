"""Staff administration in the API: system administrators list, read and change staff accounts,
through the same audited services as the admin (``/api/v1/staff/``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user, needs_cap
from openprobation.accounts.roles import Cap
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, parse_pk
from openprobation.staff.selectors import staff_qs_for_admin
from openprobation.staff.serializers import StaffChangeSerializer, StaffSerializer
from openprobation.staff.services import staff_update


class StaffListView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.ADMIN_SITE)]

    @extend_schema(responses={200: StaffSerializer(many=True), 403: ErrorSerializer}, summary="Staff accounts")
    def get(self, request: Request) -> Response:
        user = api_user(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(staff_qs_for_admin(user), request, view=self)
        return paginator.get_paginated_response(StaffSerializer(page, many=True).data)


class StaffDetailView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.ADMIN_SITE)]

    @extend_schema(responses={200: StaffSerializer, 403: ErrorSerializer, 404: ErrorSerializer}, summary="One account")
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        return Response(StaffSerializer(staff_qs_for_admin(user).get(pk=parse_pk(pk))).data)

    @extend_schema(
        request=StaffChangeSerializer,
        responses={200: StaffSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Change an account: names, language, role, placement, activity (audited; never one's own access)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        member = staff_qs_for_admin(user).get(pk=parse_pk(pk))
        form = StaffChangeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        staff_update(actor=user, user=member, values=dict(form.validated_data))
        return Response(StaffSerializer(staff_qs_for_admin(user).get(pk=member.pk)).data)

"""Accounts over the API: who am I, and the offices of my jurisdiction. (Obtaining a token is
signing in, which the shell does with an audit event: ``web.auth_api``.)"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user
from openprobation.accounts.roles import ROLE_CAPS
from openprobation.accounts.scoping import level_of, offices_for_user
from openprobation.accounts.serializers import (
    MeSerializer,
    OfficeSerializer,
)
from openprobation.core.api import ApiView


class MeView(ApiView):
    @extend_schema(responses=MeSerializer, summary="The signed-in staff member, role and capabilities")
    def get(self, request: Request) -> Response:
        user = api_user(request)
        data = {
            "id": user.pk,
            "username": user.username,
            "name": user.display_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "patronymic": user.patronymic,
            "email": user.email,
            "language": user.language,
            "role": user.role,
            "role_label": user.get_role_display(),
            "level": level_of(user).value,
            "office": user.office,
            "region": user.region,
            "capabilities": sorted(c.value for c in ROLE_CAPS.get(user.role, frozenset()) if user.is_active),
        }
        return Response(MeSerializer(data).data)


class OfficeListView(ApiView):
    @extend_schema(responses=OfficeSerializer(many=True), summary="Offices of my jurisdiction")
    def get(self, request: Request) -> Response:
        offices = offices_for_user(api_user(request)).select_related("region").order_by("code")
        return Response(OfficeSerializer(offices, many=True).data)

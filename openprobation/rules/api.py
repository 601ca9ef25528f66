"""The rulebook over the API: any signed-in member of staff may read it."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.core.api import ApiView, ErrorSerializer
from openprobation.core.timeutil import local_today
from openprobation.rules.models import Rule
from openprobation.rules.rulebook import RuleMissing, rule
from openprobation.rules.serializers import RuleDetailQuerySerializer, RuleQuerySerializer, RuleSerializer


class RuleListView(ApiView):
    @extend_schema(
        parameters=[RuleQuerySerializer],
        responses={200: RuleSerializer(many=True), 400: ErrorSerializer},
        summary="Every rule version, or those in force on a day",
    )
    def get(self, request: Request) -> Response:
        params = RuleQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rules = Rule.objects.order_by("key", "version")
        on = params.validated_data.get("on")
        if on is not None:
            rules = rules.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on), effective_from__lte=on)
        return Response(RuleSerializer(rules, many=True).data)


class RuleDetailView(ApiView):
    @extend_schema(
        parameters=[
            OpenApiParameter("key", str, OpenApiParameter.PATH, description="For example sentence.forced_labour."),
            RuleDetailQuerySerializer,
        ],
        responses={200: RuleSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="The version of a rule in force on a day",
    )
    def get(self, request: Request, key: str) -> Response:
        params = RuleDetailQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("on") or local_today()
        try:
            version = rule(key, on=on)
        except RuleMissing as err:
            if not Rule.objects.filter(key=key).exists():
                raise exceptions.NotFound(_("The rulebook has no rule “%(key)s”.") % {"key": key}) from None
            raise exceptions.NotFound(str(err.message), code="not_in_force") from None
        found = Rule.objects.get(key=version.key, version=version.version)
        return Response(RuleSerializer(found).data)

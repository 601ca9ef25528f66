"""The audit trail over the API: read-only for holders of ``Cap.AUDIT_VIEW``; there is no
endpoint that writes, changes or deletes events."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user, needs_cap
from openprobation.accounts.roles import Cap
from openprobation.audit.selectors import audit_events
from openprobation.audit.serializers import AuditEventSerializer, AuditFilterSerializer, AuditVerifySerializer
from openprobation.audit.services import audit_record, audit_verify
from openprobation.core.api import ApiView, ErrorSerializer, Pagination

FILTER_KEYS = ("actor", "action", "subject_type", "subject_id", "from", "to")


class AuditEventListView(ApiView):
    pagination_class = Pagination  # the list is paged; the schema documents the page
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.AUDIT_VIEW)]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=[AuditFilterSerializer],
        responses={200: AuditEventSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Audit events, newest first",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        params = AuditFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        events = audit_events(
            user=user,
            actor=v.get("actor", ""),
            action=v.get("action", ""),
            subject_type=v.get("subject_type", ""),
            subject_id=v.get("subject_id", ""),
            date_from=v.get("from"),
            date_to=v.get("to"),
        )
        given = {key: v[key] for key in FILTER_KEYS if v.get(key)}
        if given:
            # Reading who did what to whom is itself sensitive; searches of the trail are recorded.
            audit_record(actor=user, action="audit.search", details={"filters": given})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(AuditEventSerializer(page, many=True).data)


class AuditVerifyView(ApiView):
    permission_classes = [*ApiView.permission_classes, needs_cap(Cap.AUDIT_VIEW)]
    http_method_names = ["post", "options"]

    @extend_schema(
        request=None,
        responses={200: AuditVerifySerializer, 403: ErrorSerializer},
        summary="Verify the keyed hash chain of the audit trail and its signed checkpoints",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        result = audit_verify()
        audit_record(
            actor=user,
            action="audit.verify",
            details={"ok": result.ok, "checked": result.checked, "checkpoints": result.checkpoints},
        )
        return Response(
            AuditVerifySerializer(
                {
                    "ok": result.ok,
                    "checked": result.checked,
                    "checkpoints": result.checkpoints,
                    "problems": result.problems,
                }
            ).data
        )

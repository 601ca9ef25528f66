"""The work queue over the API: the same selector as the page (same items, same order)."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user
from openprobation.core.api import ApiView, ErrorSerializer
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.workqueue.selectors import may_see_work_queue, work_queue
from openprobation.workqueue.serializers import WorkQueueQuerySerializer, WorkQueueSerializer


class WorkQueueView(ApiView):
    @extend_schema(
        parameters=[WorkQueueQuerySerializer],
        responses={200: WorkQueueSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="My work queue (Today): due and overdue work with counts per kind (the read is audited)",
    )
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not may_see_work_queue(user):
            # Before the parameters: a role without a queue is refused whatever it asks for.
            raise PermissionDeniedError(_("Your role does not include a work queue."))
        params = WorkQueueQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        kind = v.get("kind") or ""
        queue = work_queue(
            user=user,
            today=local_today(),
            kinds=[kind] if kind else None,
            officer=v.get("officer"),
            sort=v["sort"],
            limit=v["limit"],
        )
        data = {
            "sort": queue.sort,
            "kind": kind,
            "officer": queue.officer.pk if queue.officer else None,
            "total": queue.total,
            "overdue": queue.overdue,
            "counts": [asdict(c) for c in queue.counts],
            "items": [asdict(item) for item in queue.items],
        }
        return Response(WorkQueueSerializer(data).data)

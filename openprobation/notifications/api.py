"""The outbox over the API: a case's messages and "send again". Thin: the same selectors and
service as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.core.api import ApiView, ErrorSerializer, Pagination, parse_pk
from openprobation.notifications.selectors import case_message_for_change, case_messages
from openprobation.notifications.serializers import MessageSerializer, RetrySerializer
from openprobation.notifications.services import message_retry


class CaseMessageListView(ApiView):
    pagination_class = Pagination

    @extend_schema(
        responses={200: MessageSerializer(many=True), 404: ErrorSerializer},
        summary="Messages to the person about the case, newest first (the read is audited)",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = api_user(request)
        case, found = case_messages(user=user, case=parse_pk(pk))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(found, request, view=self)
        context = {"show_body": may(user, CaseAction.EDIT, case)}
        return paginator.get_paginated_response(MessageSerializer(page, many=True, context=context).data)


class CaseMessageRetryView(ApiView):
    @extend_schema(
        request=RetrySerializer,
        responses={200: MessageSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="Send a message that was given up (dead) once more (audited)",
    )
    def post(self, request: Request, pk: int, record: int) -> Response:
        user = api_user(request)
        case, message = case_message_for_change(user=user, case_pk=parse_pk(pk), message_pk=parse_pk(record))
        retried = message_retry(actor=user, case=case, message=message)
        return Response(MessageSerializer(retried, context={"show_body": True}).data)

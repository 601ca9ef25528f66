"""The analyst's files over the API: the same functions as the pages; every job private to its
uploader (another user's is a 404)."""

from __future__ import annotations

import json
from typing import Any

from django.http import FileResponse, Http404
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from openprobation.accounts.permissions import api_user
from openprobation.accounts.roles import Cap, has_cap
from openprobation.assessments import analysis
from openprobation.assessments.models import AnalysisJob
from openprobation.assessments.serializers import AnalysisInputSerializer, AnalysisJobSerializer
from openprobation.audit.services import audit_record
from openprobation.core.api import ApiView, ErrorSerializer, parse_pk


def _job(request: Request, pk: Any) -> AnalysisJob:
    try:
        return analysis.job_of(user=api_user(request), pk=parse_pk(pk))
    except AnalysisJob.DoesNotExist:
        raise Http404 from None


def _data(job: AnalysisJob) -> dict[str, Any]:
    data = dict(AnalysisJobSerializer(job).data)
    report = analysis.result_file(job, "json")
    if report is not None:
        data["report"] = json.loads(report.read_text(encoding="utf-8"))
    return data


class AnalysisListView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={200: AnalysisJobSerializer(many=True)}, summary="My analyses (analysts), newest first")
    def get(self, request: Request) -> Response:
        user = api_user(request)
        if not has_cap(user, Cap.INSTRUMENT_ANALYSIS):
            raise PermissionDenied
        return Response(AnalysisJobSerializer(analysis.jobs_of(user)[:100], many=True).data)

    @extend_schema(
        request={"multipart/form-data": AnalysisInputSerializer},
        responses={201: AnalysisJobSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Upload a CSV file to validate an instrument or score every row; runs in the background",
    )
    def post(self, request: Request) -> Response:
        user = api_user(request)
        if not has_cap(user, Cap.INSTRUMENT_ANALYSIS):
            raise PermissionDenied
        form = AnalysisInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        upload = data.pop("file")
        kind = data.pop("kind")
        job = analysis.analysis_create(
            actor=user, kind=kind, upload=upload, params=data, language=get_language() or "ru"
        )
        return Response(AnalysisJobSerializer(job).data, status=status.HTTP_201_CREATED)


class AnalysisDetailView(ApiView):
    @extend_schema(
        responses={200: AnalysisJobSerializer, 404: ErrorSerializer},
        summary="One of my analyses: status, progress, the report's figures when done",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_data(_job(request, pk)))

    @extend_schema(
        responses={204: None, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Delete one of my analyses and its files now",
    )
    def delete(self, request: Request, pk: int) -> Response:
        job = _job(request, pk)
        analysis.analysis_delete(actor=api_user(request), job=job)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnalysisDownloadView(ApiView):
    @extend_schema(
        responses={(200, "application/octet-stream"): bytes, 404: ErrorSerializer},
        summary="A result file of one of my analyses: scored, json or html (audited)",
    )
    def get(self, request: Request, pk: int, what: str) -> FileResponse:
        job = _job(request, pk)
        path = analysis.result_file(job, what)
        if path is None:
            raise Http404
        audit_record(actor=api_user(request), action="analysis.download", subject=job, details={"what": what})
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)

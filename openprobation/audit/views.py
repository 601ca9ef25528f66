"""The audit log for auditors: read-only, filterable, with a chain check. Nothing here edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from openprobation.accounts.roles import Cap, has_cap
from openprobation.audit.models import AuditEvent
from openprobation.audit.services import audit_record, audit_verify
from openprobation.core.timeutil import KZ_TZ
from openprobation.web.forms import UswdsForm, date_field

PAGE_SIZE = 50


class AuditFilterForm(UswdsForm):
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64, help_text=_("For example case.view"))
    subject_type = forms.CharField(
        label=_("Subject type"), required=False, max_length=64, help_text=_("For example cases.case")
    )
    subject_id = forms.CharField(label=_("Subject id"), required=False, max_length=64)
    date_from = date_field(_("From"))
    date_to = date_field(_("Until"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=KZ_TZ)


def _filtered(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all().order_by("-id")
    if not form.is_valid():
        return events
    cd = form.cleaned_data
    if cd.get("user"):
        events = events.filter(actor_username__icontains=cd["user"])
    if cd.get("action"):
        events = events.filter(action__startswith=cd["action"])
    if cd.get("subject_type"):
        events = events.filter(subject_type=cd["subject_type"])
    if cd.get("subject_id"):
        events = events.filter(subject_id=cd["subject_id"])
    if cd.get("date_from"):
        events = events.filter(at__gte=_local_midnight(cd["date_from"]))
    if cd.get("date_to"):
        events = events.filter(at__lt=_local_midnight(cd["date_to"] + dt.timedelta(days=1)))
    return events


def _require_auditor(request: HttpRequest) -> None:
    if not has_cap(request.user, Cap.AUDIT_VIEW):
        raise PermissionDenied


def _page(request: HttpRequest, *, verify_result: Any = None) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = _filtered(form)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": form, "page_obj": page, "verify_result": verify_result})


@login_required
def audit_log_view(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    if any(request.GET.get(k) for k in AuditFilterForm.base_fields):
        filters = {k: v for k, v in request.GET.items() if k in AuditFilterForm.base_fields and v}
        audit_record(actor=request.user, action="audit.search", details={"query": "", "filters": filters})
    return _page(request)


@login_required
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    result = audit_verify()
    audit_record(actor=request.user, action="audit.verify", details={"ok": result.ok, "checked": result.checked})
    return _page(request, verify_result=result)

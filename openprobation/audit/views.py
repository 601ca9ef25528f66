"""The audit log for auditors: read-only, filterable, with a chain check. Nothing here edits."""

from __future__ import annotations

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
from openprobation.audit.selectors import audit_events
from openprobation.audit.services import audit_record, audit_verify
from openprobation.core.forms import UswdsForm, date_field

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


def _filtered(form: AuditFilterForm, user: Any) -> QuerySet[AuditEvent]:
    if not form.is_valid():
        return audit_events(user=user)
    cd = form.cleaned_data
    return audit_events(
        user=user,
        actor=cd.get("user") or "",
        action=cd.get("action") or "",
        subject_type=cd.get("subject_type") or "",
        subject_id=cd.get("subject_id") or "",
        date_from=cd.get("date_from"),
        date_to=cd.get("date_to"),
    )


def _require_auditor(request: HttpRequest) -> None:
    if not has_cap(request.user, Cap.AUDIT_VIEW):
        raise PermissionDenied


def _page(request: HttpRequest, *, verify_result: Any = None) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = _filtered(form, request.user)
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
    audit_record(
        actor=request.user,
        action="audit.verify",
        details={"ok": result.ok, "checked": result.checked, "checkpoints": result.checkpoints},
    )
    return _page(request, verify_result=result)

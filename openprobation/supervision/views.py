"""Supervision pages: the outcome form (fast: one radio and a button from the work queue), the
reporting schedule and an ad-hoc appointment. Thin: reads through the scoped selectors (404 outside
the jurisdiction), writes through ``supervision.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openprobation.accounts.permissions import staff_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import KZ_TZ, local_today
from openprobation.supervision.forms import AppointmentForm, OutcomeForm, ScheduleForm
from openprobation.supervision.models import Appointment, Outcome
from openprobation.supervision.selectors import (
    appointment_detail,
    appointment_for_change,
    schedule_in_force,
)
from openprobation.supervision.services import (
    appointment_correct_outcome,
    appointment_create,
    appointment_record_outcome,
    schedule_default,
    schedule_set,
)


def _safe_next(request: HttpRequest, value: str, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def _case_for(request: HttpRequest, pk: int, *, change: bool) -> Case:
    """The case of a page: for a POST found for the change, else shown (audited); 404 outside the
    jurisdiction, 403 when the user may not change it."""
    try:
        case = case_for_change(user=request.user, pk=pk) if change else case_detail(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if not may(request.user, CaseAction.EDIT, case):
        raise PermissionDenied
    return case


@login_required
@require_http_methods(["GET", "POST"])
def outcome_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    user = staff_user(request)
    posted = request.method == "POST"
    try:
        if posted:
            appointment = appointment_for_change(user=user, case_pk=pk, pk=record)
        else:
            appointment = appointment_detail(user=user, case_pk=pk, pk=record)
    except (Case.DoesNotExist, Appointment.DoesNotExist):
        raise Http404 from None
    case = appointment.case
    if not may(user, CaseAction.EDIT, case) or appointment.outcome in (Outcome.CANCELLED, Outcome.RESCHEDULED):
        raise PermissionDenied
    correcting = bool(appointment.outcome)
    held = appointment.starts_at.astimezone(KZ_TZ).date() <= local_today()
    default_next = reverse("cases:detail", args=[case.pk])
    source = request.POST if posted else request.GET
    wanted = source.get("next", "")
    if not posted and not wanted:
        # Opened from a list (the work queue, the case page) without ?next=: go back there.
        referer = request.headers.get("Referer", "")
        wanted = referer if referer and request.path not in referer else ""
    next_url = _safe_next(request, wanted, default_next)
    initial = {"next": next_url}
    if correcting:
        initial.update(
            outcome=appointment.outcome,
            reason_code=appointment.reason_code,
            note=appointment.outcome_note,
            evidence=appointment.evidence,
        )
    form = OutcomeForm(request.POST if posted else None, held=held, correcting=correcting, initial=initial)
    if posted:
        if form.is_valid():
            data = form.outcome_input()
            try:
                if correcting:
                    appointment_correct_outcome(
                        actor=user,
                        appointment=appointment,
                        outcome=data.outcome,
                        reason=form.cleaned_data["correction_reason"],
                        reason_code=data.reason_code,
                        note=data.note,
                        evidence=data.evidence,
                    )
                else:
                    appointment_record_outcome(
                        actor=user,
                        appointment=appointment,
                        outcome=data.outcome,
                        reason_code=data.reason_code,
                        note=data.note,
                        evidence=data.evidence,
                        rescheduled_by=data.rescheduled_by,
                        rescheduled_to=data.rescheduled_to,
                    )
            except DomainError as err:
                if err.field == "reason":
                    err.field = "correction_reason"
                if err.field == "rescheduled_to":
                    err.field = "rescheduled_on"
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The outcome is recorded."))
                return redirect(next_url)
        case_shown(user=user, case=case, part="appointment")
    context = {
        "case": case,
        "appointment": appointment,
        "form": form,
        "correcting": correcting,
        "held": held,
        "next_url": next_url,
    }
    return render(request, "supervision/outcome.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    posted = request.method == "POST"
    case = _case_for(request, pk, change=posted)
    if case.status in TERMINAL:
        raise PermissionDenied
    today = local_today()
    start = max(today, case.control_start or today)
    default, time_of_day, params = schedule_default(case=case, on=start)
    current = schedule_in_force(case=case)
    if posted:
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                schedule_set(actor=user, case=case, data=form.schedule_input())
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The reporting schedule is set."))
                return redirect("cases:detail", pk=case.pk)
        case_shown(user=user, case=case, part="schedule")
    else:
        form = ScheduleForm(
            initial={
                "pattern": default.pattern,
                "weekdays": list(default.weekdays),
                "month_days": ", ".join(str(d) for d in default.month_days),
                "interval_weeks": default.interval_weeks if default.pattern == "every_n_weeks" else 2,
                "time_of_day": time_of_day,
                "valid_from": start,
            }
        )
    context = {"case": case, "form": form, "current": current, "default": default, "rule": params}
    return render(request, "supervision/schedule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    posted = request.method == "POST"
    case = _case_for(request, pk, change=posted)
    if case.status in TERMINAL:
        raise PermissionDenied
    if posted:
        form = AppointmentForm(request.POST)
        if form.is_valid():
            try:
                appointment_create(
                    actor=user,
                    case=case,
                    kind=form.cleaned_data["kind"],
                    starts_at=form.starts_at(),
                    place=form.cleaned_data.get("place") or "",
                )
            except DomainError as err:
                if err.field == "starts_at":
                    err.field = "day"
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The appointment is added."))
                return redirect("cases:detail", pk=case.pk)
        case_shown(user=user, case=case, part="appointments")
    else:
        form = AppointmentForm(initial={"day": local_today()})
    return render(request, "supervision/appointment_form.html", {"case": case, "form": form})

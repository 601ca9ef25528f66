"""The volunteer forms of a case: assign (with consent), log a session, end the assignment. Thin:
the case through the case selectors (404 outside the jurisdiction, 403 when it may not be
changed), the writes through ``volunteers.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openprobation.accounts.permissions import staff_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change, case_shown
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.forms import UswdsForm, apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.volunteers import selectors, services
from openprobation.volunteers.forms import AssignForm, EndForm, SessionForm
from openprobation.volunteers.models import VolunteerAssignment

PART = "volunteers"


def may_change(user: Any, case: Case) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


def _editable(request: HttpRequest, pk: int) -> Case:
    """404 outside the jurisdiction, 403 when the user may not change the case. A GET shows the
    form (a read of the case, recorded); a POST is recorded by the service."""
    try:
        if request.method == "POST":
            case = case_for_change(user=request.user, pk=pk)
        else:
            case = case_detail(user=request.user, pk=pk, part=PART)
    except Case.DoesNotExist:
        raise Http404 from None
    if not may_change(request.user, case):
        raise PermissionDenied
    return case


def _assignment(case: Case, pk: int) -> VolunteerAssignment:
    try:
        return selectors.case_assignment(case, pk)
    except VolunteerAssignment.DoesNotExist:
        raise Http404 from None


def _form_page(
    request: HttpRequest, case: Case, form: UswdsForm, *, title: str, submit: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    if request.method == "POST":
        case_shown(user=request.user, case=case, part=PART)  # the form came back with its errors
    context = {"case": case, "form": form, "title": title, "submit": submit, "action": request.path, **(extra or {})}
    return render(request, "volunteers/case_form.html", context)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("cases:detail", args=[case.pk]) + "#volunteers")


@login_required
@require_http_methods(["GET", "POST"])
def assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    today = local_today()
    candidates = list(selectors.assignable_volunteers(case))
    judged = [(v, selectors.volunteer_eligibility(v, today)) for v in candidates]
    labels = [
        (v.pk, f"{v.full_name} ({v.get_kind_display()})" + ("" if e.eligible else " — " + _("not eligible")))
        for v, e in judged
    ]
    if request.method == "POST":
        form = AssignForm(request.POST, volunteers=labels)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.volunteer_assign(
                    actor=staff_user(request),
                    case=case,
                    data=services.AssignInput(
                        volunteer_id=d["volunteer"],
                        consent_on=d["consent_on"],
                        consent_note=d["consent_note"],
                        started_on=d["started_on"],
                    ),
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The volunteer is assigned."))
    else:
        form = AssignForm(initial={"consent_on": today, "started_on": today}, volunteers=labels)
    return _form_page(
        request,
        case,
        form,
        title=_("Assign a volunteer or mentor"),
        submit=_("Assign"),
        extra={"candidates": judged},
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    assignment = _assignment(case, record)
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.session_log(
                    actor=staff_user(request),
                    case=case,
                    assignment_id=assignment.pk,
                    data=services.SessionInput(
                        held_on=d["held_on"],
                        minutes=d["minutes"],
                        kind=d["kind"],
                        summary=d["summary"],
                        place=d["place"],
                    ),
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The session is logged."))
    else:
        form = SessionForm(initial={"held_on": local_today(), "minutes": 60, "kind": "meeting"})
    return _form_page(
        request,
        case,
        form,
        title=_("Log a support session"),
        submit=_("Log the session"),
        extra={"assignment": assignment},
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    assignment = _assignment(case, record)
    if request.method == "POST":
        form = EndForm(request.POST)
        if form.is_valid():
            try:
                services.assignment_end(
                    actor=staff_user(request),
                    case=case,
                    assignment_id=assignment.pk,
                    ended_on=form.cleaned_data["ended_on"],
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The assignment is ended."))
    else:
        form = EndForm(initial={"ended_on": local_today()})
    return _form_page(
        request,
        case,
        form,
        title=_("End the volunteer's assignment"),
        submit=_("End the assignment"),
        extra={"assignment": assignment},
    )

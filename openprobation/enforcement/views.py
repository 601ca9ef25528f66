"""Violation and ladder pages. Thin: the case through ``cases.selectors`` (404 outside the
jurisdiction), writes through ``enforcement.services``; a refusal is shown on the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openprobation.accounts.permissions import staff_user
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case, CaseStatus, CaseTask
from openprobation.cases.selectors import case_detail, case_for_change, case_shown
from openprobation.cases.services import case_task_complete
from openprobation.cases.views import action_case
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.enforcement import ladder
from openprobation.enforcement.forms import (
    ExplanationForm,
    StatusForm,
    StepForm,
    TaskDoneForm,
    ViolationDecisionForm,
    ViolationForm,
)
from openprobation.enforcement.models import ESTABLISHED, Step, Violation, ViolationStatus
from openprobation.enforcement.providers import enforcement_state
from openprobation.enforcement.selectors import case_violations, task_of_case, violation_of_case
from openprobation.enforcement.services import (
    ANSWERABLE,
    case_mark_found,
    case_mark_wanted,
    enforcement_step,
    violation_confirm,
    violation_explain,
    violation_record,
    violation_transition,
)


def _visible_case(request: HttpRequest, pk: int, part: str = "") -> Case:
    try:
        return case_detail(user=request.user, pk=pk, part=part)
    except Case.DoesNotExist:
        raise Http404 from None


def _editable_case(request: HttpRequest, pk: int, part: str, action: CaseAction = CaseAction.EDIT) -> Case:
    """A form page: the case is read (audited), and the form is offered only to who may act."""
    case = _visible_case(request, pk, part)
    if not may(request.user, action, case) or case.status in TERMINAL:
        raise PermissionDenied
    return case


def _violation(case: Case, record: int) -> Violation:
    try:
        return violation_of_case(case=case, pk=record)
    except Violation.DoesNotExist:
        raise Http404 from None


# --- The case's violations, steps and tasks ------------------------------------------------------------


@login_required
def violations_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk, part="violations")
    today = local_today()
    context: dict[str, Any] = {
        "case": case,
        "today": today,
        "violations": list(case_violations(case=case)),
        "can_edit": may(request.user, CaseAction.EDIT, case) and case.status not in TERMINAL,
        **enforcement_state(case=case, today=today),
    }
    return render(request, "enforcement/violations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def violation_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        case = action_case(request, pk)
        form = ViolationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                violation = violation_record(
                    actor=staff_user(request),
                    case=case,
                    kind=d["kind"],
                    source=d["source"],
                    source_ref=d.get("source_ref") or "",
                    occurred_on=d["occurred_on"],
                    description=d["description"],
                    evidence=d.get("evidence") or "",
                    malicious=bool(d.get("malicious")),
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The violation is recorded."))
                return redirect("enforcement:violation", pk=case.pk, record=violation.pk)
        case_shown(user=request.user, case=case, part="violations")
    else:
        case = _editable_case(request, pk, "violations")
        form = ViolationForm(initial={"occurred_on": local_today()})
    return render(request, "enforcement/violation_form.html", {"case": case, "form": form})


def _violation_page(
    request: HttpRequest, case: Case, violation: Violation, *, status: int = 200, **bound: Any
) -> HttpResponse:
    user = staff_user(request)
    can_edit = may(user, CaseAction.EDIT, case) and case.status not in TERMINAL
    context: dict[str, Any] = {"case": case, "violation": violation, "can_edit": can_edit}
    if can_edit and violation.status == ViolationStatus.CANDIDATE:
        context["decision_form"] = bound.get("decision_form") or ViolationDecisionForm(
            initial={"malicious": violation.malicious}
        )
    if can_edit and violation.status == ViolationStatus.CONFIRMED:
        context["explanation_form"] = bound.get("explanation_form") or ExplanationForm(
            initial={"received_on": local_today()}
        )
    return render(request, "enforcement/violation.html", context, status=status)


@login_required
def violation_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _visible_case(request, pk, part="violation")
    return _violation_page(request, case, _violation(case, record))


@login_required
@require_POST
def violation_decision_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = action_case(request, pk)
    violation = _violation(case, record)
    form = ViolationDecisionForm(request.POST)
    if form.is_valid():
        try:
            to_status = form.cleaned_data["to_status"]
            if to_status == ViolationStatus.CONFIRMED:
                violation_confirm(
                    actor=staff_user(request),
                    violation=violation,
                    reason=form.cleaned_data["reason"],
                    malicious=bool(form.cleaned_data.get("malicious")),
                )
            else:
                violation_transition(
                    actor=staff_user(request),
                    violation=violation,
                    to_status=to_status,
                    reason=form.cleaned_data["reason"],
                )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("enforcement:violation", pk=case.pk, record=violation.pk)
    case_shown(user=request.user, case=case, part="violation")
    return _violation_page(request, case, violation, decision_form=form)


@login_required
@require_POST
def violation_explanation_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = action_case(request, pk)
    violation = _violation(case, record)
    form = ExplanationForm(request.POST)
    if form.is_valid():
        try:
            violation_explain(
                actor=staff_user(request),
                violation=violation,
                explanation=form.cleaned_data["explanation"],
                received_on=form.cleaned_data["received_on"],
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The explanation is recorded."))
            return redirect("enforcement:violation", pk=case.pk, record=violation.pk)
    case_shown(user=request.user, case=case, part="violation")
    return _violation_page(request, case, violation, explanation_form=form)


# --- Ladder steps -----------------------------------------------------------------------------------------

STEP_TITLES: dict[str, Any] = {
    Step.WARNING: gettext_lazy("Issue a warning"),
    Step.WRITTEN_WARNING: gettext_lazy("Issue a written warning"),
    Step.SUBMISSION: gettext_lazy("Prepare a submission to court"),
    Step.COURT_OUTCOME: gettext_lazy("Record the court's outcome"),
}


def _step_form(case: Case, step: str, data: Any = None) -> StepForm:
    today = local_today()
    kind = ladder.sentence_kind_now(case)
    if step == Step.SUBMISSION:
        choices = ladder.unanswered_established(case, on=today)
    elif step == Step.COURT_OUTCOME:
        choices = []
    else:
        choices = list(case_violations(case=case).filter(status__in=ANSWERABLE))
    initial: dict[str, Any] = {"taken_on": today}
    if step == Step.SUBMISSION:
        initial["violations"] = [v.pk for v in choices]
    if step == Step.COURT_OUTCOME:
        initial["court"] = case.court
    return StepForm(
        data,
        step=step,
        violations=choices,
        outcomes=ladder.submission_outcomes(kind, on=today),
        initial=initial,
    )


def _step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if request.method == "POST":
        case = action_case(request, pk)
        form = _step_form(case, step, request.POST)
        if form.is_valid():
            try:
                enforcement_step(actor=staff_user(request), case=case, data=form.step_input())
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The step is recorded."))
                return redirect("enforcement:violations", pk=case.pk)
        case_shown(user=request.user, case=case, part="enforcement")
    else:
        case = _editable_case(request, pk, "enforcement")
        form = _step_form(case, step)
    today = local_today()
    context = {
        "case": case,
        "form": form,
        "step": step,
        "title": STEP_TITLES[step],
        "grounds": ladder.submission_due(case, today) if step == Step.SUBMISSION else None,
        "pending": ladder.pending_submission(case) if step == Step.COURT_OUTCOME else None,
        "allowed": ladder.steps_allowed(case, on=today)[step],
        "established": ESTABLISHED,
    }
    return render(request, "enforcement/step_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def warning_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, Step.WARNING)


@login_required
@require_http_methods(["GET", "POST"])
def written_warning_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, Step.WRITTEN_WARNING)


@login_required
@require_http_methods(["GET", "POST"])
def submission_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, Step.SUBMISSION)


@login_required
@require_http_methods(["GET", "POST"])
def court_outcome_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _step_view(request, pk, Step.COURT_OUTCOME)


# --- Wanted and found -----------------------------------------------------------------------------------


def _status_view(request: HttpRequest, pk: int, *, found: bool) -> HttpResponse:
    if request.method == "POST":
        case = action_case(request, pk, CaseAction.TRANSITION)
        form = StatusForm(request.POST)
        if form.is_valid():
            service = case_mark_found if found else case_mark_wanted
            try:
                service(
                    actor=staff_user(request),
                    case=case,
                    reason=form.cleaned_data["reason"],
                    effective_on=form.cleaned_data.get("effective_on"),
                )
            except DomainError as err:
                if err.field in ("to_status",):
                    err.field = None
                apply_domain_error(form, err)
            else:
                messages.success(request, _("Control resumes.") if found else _("The person is declared wanted."))
                return redirect("cases:detail", pk=case.pk)
        case_shown(user=request.user, case=case, part="wanted")
    else:
        case = _editable_case(request, pk, "wanted", CaseAction.TRANSITION)
        form = StatusForm()
    title = _("Person found: resume control") if found else _("Declare wanted")
    context = {
        "case": case,
        "form": form,
        "title": title,
        "found": found,
        "not_wanted": found and case.status != CaseStatus.WANTED,
    }
    return render(request, "enforcement/status_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def wanted_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_view(request, pk, found=False)


@login_required
@require_http_methods(["GET", "POST"])
def found_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _status_view(request, pk, found=True)


# --- Tasks ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def task_done_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    try:
        case = case_for_change(user=request.user, pk=pk)
        task = task_of_case(case=case, pk=record)
    except (Case.DoesNotExist, CaseTask.DoesNotExist):
        raise Http404 from None
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            case_task_complete(
                actor=staff_user(request),
                task=task,
                note=form.cleaned_data.get("note") or "",
                cancel=bool(form.cleaned_data.get("cancel")),
            )
        except DomainError as err:
            if err.code == "forbidden":
                raise PermissionDenied from None
            messages.error(request, str(err.message))
        else:
            messages.success(request, _("The task is closed."))
    else:
        messages.error(request, _("Check the note."))
    return redirect(reverse("enforcement:violations", kwargs={"pk": case.pk}) + "#tasks")

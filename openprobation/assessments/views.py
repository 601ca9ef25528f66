"""Assessment pages of a case. Thin: reads through ``assessments.selectors`` (out of jurisdiction
→ 404), writes through ``assessments.services``; a refused entry comes back on its form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openprobation.accounts.scoping import CaseAction, may
from openprobation.assessments import selectors, services
from openprobation.assessments.casepage import level_label
from openprobation.assessments.facts import prefill
from openprobation.assessments.forms import AssessmentForm, DecisionForm, OverrideForm
from openprobation.assessments.instrument import pick
from openprobation.assessments.instruments import NoInstrument, instrument_in_force, spec_of
from openprobation.assessments.models import Assessment, InstrumentKind, LevelOverride
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import local_today


def _visible(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.assessment_case(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _editable(request: HttpRequest, pk: int) -> Case:
    if request.method == "POST":
        try:
            case = case_for_change(user=request.user, pk=pk)
        except Case.DoesNotExist:
            raise Http404 from None
    else:
        case = _visible(request, pk)
    if not may(request.user, CaseAction.EDIT, case) or case.status in TERMINAL:
        raise PermissionDenied
    return case


def _assessment(case: Case, aid: int) -> Assessment:
    try:
        return selectors.assessment_of(user=None, case=case, pk=aid)
    except Assessment.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def case_assessments(request: HttpRequest, pk: int) -> HttpResponse:
    """The current level and its reasons, the needs, pending overrides and the full history."""
    case = _visible(request, pk)
    state = selectors.case_state(case)
    risk = state.risk if state else None
    context = {
        "case": case,
        "state": state,
        "risk": risk,
        "risk_spec": spec_of(risk.instrument) if risk else None,
        "needs": state.needs if state else None,
        "level_label": level_label(state.level) if state and state.level else "",
        "pending": selectors.pending_overrides(case),
        "triggers": selectors.open_triggers(case),
        "history": list(selectors.history(case)),
        "may_change": may(request.user, CaseAction.EDIT, case) and case.status not in TERMINAL,
        "consequence": selectors.level_consequences(case, on=local_today()),
    }
    return render(request, "assessments/case.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in InstrumentKind.values:
        raise Http404
    case = _editable(request, pk)
    today = local_today()
    try:
        instrument = instrument_in_force(kind, on=today)
    except NoInstrument as exc:
        messages.error(request, str(exc.message))
        return redirect("assessments:case", pk=case.pk)
    spec = spec_of(instrument)
    prefilled = prefill(spec, case, on=today)
    form = AssessmentForm(request.POST or None, spec=spec, prefilled=prefilled)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user,  # type: ignore[arg-type]
                case=case,
                kind=kind,
                answers=form.answers(),
                assessed_on=form.cleaned_data.get("assessed_on"),
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("The assessment is recorded: %(level)s.") % {"level": level_label(assessment.level)}
            )
            return redirect("assessments:detail", pk=case.pk, record=assessment.pk)
    if request.method == "POST":
        case_shown(user=request.user, case=case, part="assessments")
    title = _("Risk assessment") if kind == InstrumentKind.RISK else _("Needs assessment")
    return render(
        request,
        "assessments/form.html",
        {"case": case, "form": form, "title": title, "instrument": instrument, "spec": spec, "kind": kind},
    )


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """One assessment with its breakdown, and what changed since the one before it (or another
    chosen with ``?with=``)."""
    case = _visible(request, pk)
    assessment = _assessment(case, record)
    spec = spec_of(assessment.instrument)
    others = list(selectors.history(case, assessment.kind).exclude(pk=assessment.pk))
    other_id = request.GET.get("with", "")
    if other_id.isascii() and other_id.isdigit():
        older = next((a for a in others if a.pk == int(other_id)), None)
    else:
        older = next((a for a in others if (a.assessed_on, a.pk) < (assessment.assessed_on, assessment.pk)), None)
    answers = []
    for section in spec.sections:
        rows = []
        for code in section.items:
            item = spec.item(code)
            value = assessment.answers.get(code)
            option = item.option(str(value)) if item.type == "choice" and value is not None else None
            # What the case file offered, shown only where the officer answered otherwise.
            offered = assessment.prefilled.get(code)
            if offered is not None and str(offered) != str(value):
                offered_option = item.option(str(offered)) if item.type == "choice" else None
                offered = pick(offered_option.label) if offered_option else offered
            else:
                offered = None
            rows.append(
                (pick(item.title), pick(option.label) if option else ("—" if value is None else value), offered)
            )
        answers.append((pick(section.title), rows))
    state = selectors.case_state(case)
    is_current = state is not None and state.risk_id == assessment.pk
    context = {
        "case": case,
        "assessment": assessment,
        "spec": spec,
        "answers": answers,
        "level_label": level_label(assessment.level),
        "older": older,
        "others": others,
        "changes": selectors.compare(older, assessment) if older else [],
        "overrides": list(assessment.overrides.select_related("requested_by", "decided_by")),
        "may_override": is_current and may(request.user, CaseAction.EDIT, case) and case.status not in TERMINAL,
    }
    return render(request, "assessments/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def override_new(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    assessment = _assessment(case, record)
    spec = spec_of(assessment.instrument)
    levels = [(b.code, pick(b.label)) for b in spec.levels if b.code != assessment.level]
    form = OverrideForm(request.POST or None, levels=levels)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_override_request(
                actor=request.user,  # type: ignore[arg-type]
                assessment=assessment,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The override is sent to the head of the office to countersign."))
            return redirect("assessments:detail", pk=case.pk, record=assessment.pk)
    if request.method == "POST":
        case_shown(user=request.user, case=case, part="assessments")
    return render(
        request,
        "assessments/override.html",
        {"case": case, "assessment": assessment, "form": form, "level_label": level_label(assessment.level)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def override_decide(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    try:
        override = selectors.override_for_decision(user=request.user, case_pk=pk, pk=record)
    except LevelOverride.DoesNotExist:
        raise Http404 from None
    case = override.assessment.case
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_override_decide(
                actor=request.user,  # type: ignore[arg-type]
                override=override,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data.get("note", ""),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The decision is recorded."))
            back = request.POST.get("next", "")
            if back == "today":
                return redirect("workqueue:today")
            return redirect("assessments:case", pk=case.pk)
    return render(
        request,
        "assessments/decide.html",
        {
            "case": case,
            "override": override,
            "form": form,
            "from_label": level_label(override.computed_level),
            "to_label": level_label(override.level),
            "own": override.requested_by_id == request.user.pk,
        },
    )

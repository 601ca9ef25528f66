"""Duty pages: add a duty from a court decision, end one, and the printable "Your duties" notice.
Reads through the scoped selectors (out of jurisdiction → 404), writes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openprobation.accounts.permissions import staff_user
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail, case_for_change, case_shown
from openprobation.conditions.casepage import LANGUAGE_NAMES, may_change_duties, officer_language
from openprobation.conditions.catalogue import current_catalogue
from openprobation.conditions.forms import ConditionAddForm, ConditionEndForm
from openprobation.conditions.models import CaseCondition
from openprobation.conditions.params import LANGUAGES
from openprobation.conditions.rendering import person_language, render_condition
from openprobation.conditions.selectors import condition_of_case, conditions_in_force
from openprobation.conditions.services import case_condition_add, case_condition_end
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today


def _case_to_change(request: HttpRequest, pk: int) -> Case:
    """GET: the case shown (recorded as a view); POST: found for the change (the service records
    it). 404 outside the jurisdiction, 403 when the user may not change its duties."""
    try:
        if request.method == "POST":
            case = case_for_change(user=request.user, pk=pk)
        else:
            case = case_detail(user=request.user, pk=pk, part="conditions")
    except Case.DoesNotExist:
        raise Http404 from None
    if not may_change_duties(request.user, case):
        raise PermissionDenied
    return case


@login_required
@require_http_methods(["GET", "POST"])
def condition_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_to_change(request, pk)
    today = local_today()
    language = officer_language()
    catalogue = current_catalogue(today)
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("code", "")
    definition = next((d for d in catalogue if d.code == code), None)
    choosing = request.method == "GET" or bool(request.POST.get("choose")) or definition is None
    initial = {"code": code if definition else "", "in_force_from": case.effective_date or today}
    asked = source.get("decision", "")
    chosen = next((d for d in case.decisions.all() if str(d.pk) == asked), None)
    if chosen is not None:
        initial.update({"decision": str(chosen.pk), "in_force_from": chosen.effective_date})
    kwargs: dict[str, Any] = {"case": case, "catalogue": catalogue, "definition": definition, "language": language}
    if choosing:
        if request.method == "POST":
            # Without script, "show its parameters" comes back with the chosen duty's fields.
            initial.update({k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "choose")})
            case_shown(user=request.user, case=case, part="conditions")
        form = ConditionAddForm(initial=initial, **kwargs)
    else:
        form = ConditionAddForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                case_condition_add(
                    actor=staff_user(request),
                    case=case,
                    code=form.cleaned_data["code"],
                    params=form.params(),
                    decision=form.chosen_decision(),
                    in_force_from=form.cleaned_data["in_force_from"],
                )
            except DomainError as err:
                form.apply_error(err)
            else:
                messages.success(request, _("The duty is entered."))
                return redirect("cases:detail", pk=case.pk)
        case_shown(user=request.user, case=case, part="conditions")
    return render(
        request,
        "conditions/add.html",
        {"case": case, "form": form, "definition": definition, "language": language},
        status=200 if choosing or not form.errors else 400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def condition_end_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case_to_change(request, pk)
    try:
        condition = condition_of_case(case=case, pk=record)
    except CaseCondition.DoesNotExist:
        raise Http404 from None
    if condition.ended_on is not None:
        raise Http404
    if request.method == "POST":
        form = ConditionEndForm(request.POST, case=case)
        if form.is_valid():
            try:
                case_condition_end(
                    actor=staff_user(request),
                    condition=condition,
                    decision=form.chosen_decision(),
                    ended_on=form.cleaned_data["ended_on"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as err:
                if err.field in form.fields:
                    form.add_error(err.field, str(err.message))
                else:
                    form.add_error(None, str(err.message))
            else:
                messages.success(request, _("The duty is ended."))
                return redirect("cases:detail", pk=case.pk)
        case_shown(user=request.user, case=case, part="conditions")
    else:
        decisions = list(case.decisions.all())
        latest = decisions[-1] if decisions else None
        form = ConditionEndForm(
            case=case,
            initial={"decision": latest.pk if latest else "", "ended_on": latest.effective_date if latest else None},
        )
    language = officer_language()
    return render(
        request,
        "conditions/end.html",
        {
            "case": case,
            "condition": condition,
            "form": form,
            "name": condition.definition.name_in(language),
            "text": render_condition(condition, language),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def condition_notice_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable "Your duties" notice for the person, in their language (or ``?lang=``)."""
    try:
        case = case_detail(user=request.user, pk=pk, part="conditions_notice")
    except Case.DoesNotExist:
        raise Http404 from None
    asked = request.GET.get("lang", "")
    lang = asked if asked in LANGUAGES else person_language(case.person)
    today = local_today()
    duties = [render_condition(c, lang) for c in conditions_in_force(case=case, on=today)]
    return render(
        request,
        "conditions/notice.html",
        {
            "case": case,
            "duties": duties,
            "notice_language": lang,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "today": today,
        },
    )

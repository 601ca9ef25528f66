"""Case pages. Thin: reads through ``cases.selectors`` (out of jurisdiction → 404), writes through
``cases.services``; a refused action is shown on the page, never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import own_office, require_cap, staff_user
from openprobation.accounts.roles import Cap, carries_cases
from openprobation.accounts.scoping import CaseAction, Level, level_of, may, offices_for_user
from openprobation.accounts.selectors import caseworkers
from openprobation.cases import legal
from openprobation.cases.forms import (
    CaseAllocateForm,
    CaseAppearanceForm,
    CaseloadFilterForm,
    CaseOpenForm,
    CaseRegisterForm,
    CaseTransferForm,
    CaseTransitionForm,
    CourtDecisionForm,
)
from openprobation.cases.lifecycle import allowed_moves
from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.overview import case_overview, may_take
from openprobation.cases.selectors import (
    SORTS,
    CaseloadFilters,
    case_detail,
    case_for_change,
    case_shown,
    caseload,
    office_caseload,
)
from openprobation.cases.services import (
    case_allocate,
    case_open,
    case_record_appearance,
    case_register,
    case_transfer,
    case_transition,
    court_decision_record,
)
from openprobation.cases.terms import case_forced_labour, current_terms, registration_overdue, registration_state
from openprobation.core.caseload import caseload_columns
from openprobation.core.casepage import case_sections
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.text import is_ascii_number
from openprobation.core.timeline import clamp_page, timeline_page
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person
from openprobation.people.selectors import person_detail

PAGE_SIZE = 25
DEFAULT_SORT = "-received"
FILTER_KEYS = ("q", "type", "status", "office", "officer", "mine", "open", "overdue", "unallocated")


_require = require_cap


def _visible_case(request: HttpRequest, pk: int) -> Case:
    """The case, recorded as a view (``cases.selectors``); 404 outside the jurisdiction."""
    try:
        return case_detail(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _is_htmx_partial(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


# --- Caseload ------------------------------------------------------------------------------------


def _effective_query(request: HttpRequest) -> tuple[QueryDict, bool]:
    """The filters in force: what the user asked for, or the preset (an officer's own open cases)."""
    if request.GET.get("applied") or any(k in request.GET for k in FILTER_KEYS):
        query = request.GET.copy()
        query["applied"] = "1"
        if not query.get("sort"):
            query["sort"] = DEFAULT_SORT
        return query, False
    query = QueryDict(mutable=True)
    if carries_cases(request.user):
        query["mine"] = "1"
    query["open"] = "1"
    query["applied"] = "1"
    query["sort"] = request.GET.get("sort", DEFAULT_SORT)
    return query, True


def _url_without(query: QueryDict, *keys: str, **changes: str) -> str:
    q = query.copy()
    for key in (*keys, "page"):
        q.pop(key, None)
    for key, value in changes.items():
        q[key] = value
    return "?" + q.urlencode()


@login_required
def caseload_view(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CASE_VIEW)
    user = staff_user(request)
    query, preset = _effective_query(request)
    offices = list(offices_for_user(user))
    officers = list(caseworkers(offices=offices))
    form = CaseloadFilterForm(query, offices=offices, officers=officers)
    form.is_valid()
    cd = form.cleaned_data
    filters = CaseloadFilters(
        q=cd.get("q") or "",
        case_type=cd.get("type") or "",
        status=cd.get("status") or "",
        office=cd.get("office"),
        officer=cd.get("officer"),
        mine=bool(cd.get("mine")),
        open_only=bool(cd.get("open")),
        overdue=bool(cd.get("overdue")),
        unallocated=bool(cd.get("unallocated")),
        sort=cd.get("sort") or DEFAULT_SORT,
    )
    today = local_today()
    cases = caseload(user=user, filters=filters, today=today)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue_ids = {c.pk for c in page.object_list if registration_overdue(c, today=today)}

    labels = {
        "type": dict(form.fields["type"].choices),  # type: ignore[attr-defined]
        "status": dict(form.fields["status"].choices),  # type: ignore[attr-defined]
        "office": dict(form.fields["office"].choices),  # type: ignore[attr-defined]
        "officer": dict(form.fields["officer"].choices),  # type: ignore[attr-defined]
    }
    chips = []
    for key in FILTER_KEYS:
        value = cd.get(key)
        if value in (None, "", False):
            continue
        field_label = form.fields[key].label
        shown = labels[key].get(value, value) if key in labels else (f"«{value}»" if key == "q" else "")
        text = f"{field_label}: {shown}" if shown else str(field_label)
        chips.append({"key": key, "label": text, "remove_url": _url_without(query, key)})

    current_sort = filters.sort
    sort_urls: dict[str, str] = {}
    sort_state: dict[str, str] = {}
    for column in ("number", "name", "received", "status", "due"):
        descending = f"-{column}"
        if current_sort == column:
            sort_state[column] = "ascending"
            target = descending if descending in SORTS else column
        elif current_sort == descending:
            sort_state[column] = "descending"
            target = column
        else:
            target = column
        sort_urls[column] = _url_without(query, "sort", sort=target)
    context = {
        "form": form,
        "page_obj": page,
        "columns": caseload_columns(),
        # The office column only when the list can hold more than one office's cases.
        "show_office": not filters.office and len(offices) > 1,
        "chips": chips,
        "preset": preset,
        "clear_url": "?applied=1",
        "today": today,
        "awaiting": CaseStatus.AWAITING_REGISTRATION,
        "overdue_ids": overdue_ids,
        "current_sort": current_sort,
        "sort_urls": sort_urls,
        "sort_state": sort_state,
    }
    template = "cases/_caseload_results.html" if _is_htmx_partial(request) else "cases/caseload.html"
    return render(request, template, context)


# --- Office caseload -----------------------------------------------------------------------------


@login_required
def office_caseload_view(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.OFFICE_CASELOAD)
    user = staff_user(request)
    offices = offices_for_user(user).select_related("region")
    wanted = request.GET.get("office", "")
    if wanted:
        office = offices.filter(pk=wanted).first() if is_ascii_number(wanted) else None
        if office is None:
            raise Http404
    elif user.office_id:
        office = offices.filter(pk=user.office_id).first()
    else:
        office = offices.first()
    loads, unallocated = office_caseload(user=user, office=office) if office is not None else ([], 0)
    return render(
        request,
        "cases/office_caseload.html",
        {
            "office": office,
            "offices": list(offices) if level_of(user) is not Level.OFFICE else [],
            "loads": loads,
            "unallocated": unallocated,
            "total_open": sum(load.open_cases for load in loads) + unallocated,
        },
    )


# --- The case page and its actions ---------------------------------------------------------------


def _case_officers(case: Case) -> list[User]:
    return list(caseworkers(offices=[case.office_id]))


def _transfer_offices(case: Case) -> Any:
    return Office.objects.exclude(pk=case.office_id).select_related("region").order_by("region__code", "code")


def _case_page(request: HttpRequest, case: Case) -> HttpResponse:
    """The case: the overview at the top (status, days of control left, every app's facts), the
    actions as buttons and a menu (each opens its own form page), the sections, then the timeline."""
    user = staff_user(request)
    today = local_today()
    registration = registration_state(case, today=today)
    terms = current_terms(case)
    overview = case_overview(user=user, case=case, today=today, terms=terms)
    context = {
        "case": case,
        "person": case.person,
        "today": today,
        "overview": overview,
        "sections": case_sections(user=user, case=case, today=today),
        "registration": registration,
        "overdue": registration.overdue,
        "terms": terms,
        "control_days_left": overview.clock.days_left,
        "eligibility_lines": legal.explain(case.eligibility) if case.eligibility else [],
        "eligible": bool(case.eligibility.get("eligible")) if case.eligibility else None,
        "forced_labour": case_forced_labour(case, today=today),
        "control_source": terms.source,
        "eligibility_source": legal.decision_source(case.eligibility) if case.eligibility else "",
        "timeline": timeline_page(user=user, case=case, page=clamp_page(request.GET.get("history"))[0]),
    }
    return render(request, "cases/detail.html", context)


@login_required
def case_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _visible_case(request, pk))


def action_case(request: HttpRequest, pk: int, action: CaseAction = CaseAction.EDIT) -> Case:
    """The case a form posts to: 404 outside the jurisdiction, 403 when the action is refused.
    (The form shown again with its errors is a read, so it is recorded as one.)"""
    try:
        case = case_for_change(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if not may(request.user, action, case):
        raise PermissionDenied
    return case


def _form_case(request: HttpRequest, pk: int, key: str) -> Case:
    """The case whose action form is asked for (GET): 404 outside the jurisdiction, 403 unless the
    case page offers this user the action now (``cases.overview.case_own_actions``)."""
    case = _visible_case(request, pk)
    if not may_take(user=staff_user(request), case=case, key=key, today=local_today()):
        raise PermissionDenied
    return case


# What each action's page says: its heading, an explanation, the form's id and its button.
ACTION_PAGES: dict[str, dict[str, Any]] = {
    "transition": {
        "title": gettext_lazy("Change the status"),
        "intro": gettext_lazy("Every change of status is recorded with its reason and the day it takes effect."),
        "submit": gettext_lazy("Change the status"),
    },
    "register": {
        "title": gettext_lazy("Register the case"),
        "intro": gettext_lazy("Registration starts probation control; the period is counted from the day given."),
        "submit": gettext_lazy("Register"),
    },
    "allocate": {
        "title": gettext_lazy("Allocate to an officer"),
        "intro": gettext_lazy("The officer who carries the case sees it in their caseload and work queue."),
        "submit": gettext_lazy("Save the allocation"),
    },
    "transfer": {
        "title": gettext_lazy("Transfer to another office"),
        "intro": gettext_lazy("After the transfer the other office handles the case; this office keeps its history."),
        "submit": gettext_lazy("Transfer"),
    },
    "appearance": {
        "title": gettext_lazy("Record the person's appearance"),
        "intro": gettext_lazy(
            "The three working days to register run from the day the person appeared (PEC art. 163)."
        ),
        "submit": gettext_lazy("Record the appearance"),
    },
}


def _action_page(request: HttpRequest, case: Case, key: str, form: Any, *, posted: bool = False) -> HttpResponse:
    """One action's own page: one form, Cancel back to the case."""
    if posted:
        # A posted form came back (errors, or refused): the case found for the change is shown.
        case_shown(user=request.user, case=case)
    page = ACTION_PAGES[key]
    title = page["title"]
    if key == "allocate" and case.officer_id is not None:
        title = gettext_lazy("Re-allocate")
    return render(
        request,
        "cases/action_form.html",
        {
            "case": case,
            "form": form,
            "key": key,
            "title": title,
            "intro": page["intro"],
            "submit": page["submit"],
            "form_id": f"{key}-form",
            "action_url": reverse(f"cases:{key}", args=[case.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _form_case(request, pk, "transition")
        moves = [m for m in allowed_moves(case.status) if m != CaseStatus.REGISTERED]
        return _action_page(request, case, "transition", CaseTransitionForm(moves=moves))
    case = action_case(request, pk, CaseAction.TRANSITION)
    moves = [m for m in allowed_moves(case.status) if m != CaseStatus.REGISTERED]
    form = CaseTransitionForm(request.POST, moves=moves)
    if form.is_valid():
        try:
            case_transition(
                actor=staff_user(request),
                case=case,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                effective_on=form.cleaned_data.get("effective_on"),
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, "transition", form, posted=True)


@login_required
@require_http_methods(["GET", "POST"])
def case_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _form_case(request, pk, "register")
        return _action_page(request, case, "register", CaseRegisterForm(initial={"registered_on": local_today()}))
    case = action_case(request, pk, CaseAction.TRANSITION)
    form = CaseRegisterForm(request.POST)
    if form.is_valid():
        try:
            case_register(
                actor=staff_user(request),
                case=case,
                registered_on=form.cleaned_data["registered_on"],
                reason=form.cleaned_data.get("reason") or "",
            )
        except DomainError as err:
            if err.field == "effective_on":
                err.field = "registered_on"
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The case is registered."))
            return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, "register", form, posted=True)


@login_required
@require_http_methods(["GET", "POST"])
def case_allocate_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _form_case(request, pk, "allocate")
        form = CaseAllocateForm(officers=_case_officers(case), initial={"officer": case.officer_id})
        return _action_page(request, case, "allocate", form)
    case = action_case(request, pk, CaseAction.ALLOCATE)
    form = CaseAllocateForm(request.POST, officers=_case_officers(case))
    if form.is_valid():
        try:
            case_allocate(
                actor=staff_user(request), case=case, officer=form.chosen_officer(), reason=form.cleaned_data["reason"]
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The allocation is saved."))
            return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, "allocate", form, posted=True)


@login_required
@require_http_methods(["GET", "POST"])
def case_transfer_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _form_case(request, pk, "transfer")
        return _action_page(request, case, "transfer", CaseTransferForm(offices=_transfer_offices(case)))
    case = action_case(request, pk, CaseAction.TRANSFER)
    form = CaseTransferForm(request.POST, offices=_transfer_offices(case))
    if form.is_valid():
        try:
            case_transfer(
                actor=staff_user(request),
                case=case,
                to_office=form.cleaned_data["to_office"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The case is transferred."))
            # After a transfer the case may be outside the user's jurisdiction: go back to the list.
            try:
                case_for_change(user=request.user, pk=case.pk)
            except Case.DoesNotExist:
                return redirect("cases:caseload")
            return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, "transfer", form, posted=True)


@login_required
@require_http_methods(["GET", "POST"])
def case_appearance_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        case = _form_case(request, pk, "appearance")
        return _action_page(request, case, "appearance", CaseAppearanceForm(initial={"appeared_on": local_today()}))
    case = action_case(request, pk, CaseAction.EDIT)
    form = CaseAppearanceForm(request.POST)
    if form.is_valid():
        try:
            case_record_appearance(actor=staff_user(request), case=case, appeared_on=form.cleaned_data["appeared_on"])
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("The appearance is recorded; the registration deadline runs from it."))
            return redirect("cases:detail", pk=case.pk)
    return _action_page(request, case, "appearance", form, posted=True)


@login_required
@require_http_methods(["GET", "POST"])
def case_decision_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of its own for a later court decision (the case page links to it)."""
    if request.method == "POST":
        case = action_case(request, pk, CaseAction.EDIT)
        form = CourtDecisionForm(request.POST)
        if form.is_valid():
            try:
                court_decision_record(actor=staff_user(request), case=case, data=form.decision_input())
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The court decision is recorded."))
                return redirect("cases:detail", pk=case.pk)
    else:
        case = _form_case(request, pk, "decision")
        # Later decisions usually come from the court that passed the sentence.
        form = CourtDecisionForm(initial={"court": case.court})
    if request.method == "POST":
        case_shown(user=request.user, case=case)  # the form came back with its errors
    return render(request, "cases/decision_form.html", {"case": case, "form": form, "terms": current_terms(case)})


# --- Opening a case ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_open_view(request: HttpRequest) -> HttpResponse:
    _require(request, Cap.CASE_OPEN)
    user = staff_user(request)
    source = request.POST if request.method == "POST" else request.GET
    person_pk = source.get("person", "")
    if not is_ascii_number(person_pk):
        raise Http404
    try:
        person = person_detail(user=user, pk=int(person_pk))
    except Person.DoesNotExist:
        raise Http404 from None
    case_type = source.get("case_type") or None
    offices = offices_for_user(user) if level_of(user) is not Level.OFFICE else None
    initial = {"case_type": case_type, "received_on": local_today()}
    choosing = request.method == "GET" or bool(request.POST.get("choose"))
    form = CaseOpenForm(None if choosing else request.POST, case_type=case_type, offices=offices, initial=initial)
    if choosing and request.method == "POST":
        # Without script, "show the fields" re-renders the form for the chosen type; keep what was typed.
        form = CaseOpenForm(
            initial={**initial, **{k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}},
            case_type=case_type,
            offices=offices,
        )
    if not choosing and form.is_valid():
        office = form.cleaned_data["office"] if offices is not None else own_office(user)
        try:
            case = case_open(actor=user, person=person, office=office, data=form.case_input())
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _case_opened_message(user, case))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/open.html", {"form": form, "person": person})


def _case_opened_message(user: Any, case: Case) -> str:
    """What happens next to a case just opened: whose it is, or who allocates it."""
    number = {"number": case.number}
    if case.officer_id is not None and case.officer_id == user.pk:
        return _("Case %(number)s is opened. The case is allocated to you.") % number
    if case.officer_id is not None:
        return _("Case %(number)s is opened and allocated to %(officer)s.") % {
            **number,
            "officer": case.officer.display_name if case.officer else "",
        }
    if may(user, CaseAction.ALLOCATE, case):
        return _("Case %(number)s is opened. Allocate it to an officer from this page.") % number
    return _("Case %(number)s is opened. The head of office will allocate it to an officer.") % number

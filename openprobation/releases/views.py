"""Release-plan pages. Thin: reads through ``releases.selectors`` (out of reach → 404), writes
through ``releases.services``; a refused entry comes back on its form, never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openprobation.accounts.models import Office, User
from openprobation.accounts.permissions import require_cap, staff_user
from openprobation.accounts.roles import Cap
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import UswdsForm, apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import PartnerOrganisation
from openprobation.releases import handover, selectors, services
from openprobation.releases.forms import CancelForm, HandoverDetailsForm, HandoverForm, ItemForm
from openprobation.releases.models import PlanStatus, ReleasePlan, ReleasePlanItem


def _editable(request: HttpRequest, pk: int) -> Case:
    """The case a plan form works on: 404 outside the jurisdiction, 403 when the user may not
    change it. A GET shows the form (a read of the case, recorded); a POST is recorded by the service."""
    try:
        if request.method == "POST":
            case = case_for_change(user=request.user, pk=pk)
        else:
            case = selectors.plan_view(user=request.user, pk=pk, on=local_today()).case
    except Case.DoesNotExist:
        raise Http404 from None
    if not selectors.may_change(request.user, case):
        raise PermissionDenied
    return case


def _to_plan_page(case: Case) -> HttpResponse:
    return redirect("releases:plan", pk=case.pk)


def _open_plan(request: HttpRequest, case: Case) -> ReleasePlan | None:
    """The case's open plan; None (the caller goes back to the plan page with a message) otherwise."""
    plan = ReleasePlan.objects.filter(case=case).first()
    if plan is None or plan.status != PlanStatus.OPEN:
        messages.error(request, _("This case has no open release plan."))
        return None
    return plan


def _form_page(
    request: HttpRequest, case: Case, form: UswdsForm, *, title: str, submit: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    if request.method == "POST":
        case_shown(user=request.user, case=case, part=selectors.PART)  # the form came back with its errors
    context = {"case": case, "form": form, "title": title, "submit": submit, "action": request.path, **(extra or {})}
    return render(request, "releases/form.html", context)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return _to_plan_page(case)


@login_required
@require_GET
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The release plan: readiness, the items by area with owners and statuses, the receiving office
    and the handover; the button to open it while there is none."""
    today = local_today()
    try:
        view = selectors.plan_view(user=request.user, pk=pk, on=today)
    except Case.DoesNotExist:
        raise Http404 from None
    context = {
        "case": view.case,
        "plan": view.plan,
        "readiness": view.readiness,
        "receiving": view.receiving,
        "may_change": view.may_change,
        "events": selectors.plan_events(plan=view.plan) if view.plan else [],
        "today": today,
    }
    return render(request, "releases/plan.html", context)


@login_required
@require_POST
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    try:
        services.release_plan_open(actor=staff_user(request), case=case)
    except DomainError as err:
        case_shown(user=request.user, case=case, part=selectors.PART)
        messages.error(request, str(err.message))
        return _to_plan_page(case)
    return _done(request, case, _("The release plan is opened."))


@login_required
@require_http_methods(["GET", "POST"])
def item_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    plan = _open_plan(request, case)
    if plan is None:
        return _to_plan_page(case)
    item = ReleasePlanItem.objects.filter(plan=plan, pk=record).first()
    if item is None:
        raise Http404
    choices: dict[str, list[Any]] = {
        "organisations": list(PartnerOrganisation.objects.filter(active=True, region_id=case.office.region_id)),
        "staff": list(User.objects.filter(office_id=case.office_id, is_active=True).order_by("last_name", "pk")),
    }
    if request.method == "POST":
        form = ItemForm(request.POST, **choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.release_item_update(
                    actor=staff_user(request),
                    plan=plan,
                    item_id=item.pk,
                    data=services.ItemInput(
                        status=d["status"],
                        owner_name=d["owner_name"],
                        owner_organisation_id=d["owner_organisation"],
                        owner_user_id=d["owner_user"],
                        due_on=d["due_on"],
                        note=d["note"],
                    ),
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The item is updated."))
    else:
        form = ItemForm(
            initial={
                "status": item.status,
                "owner_name": item.owner_name,
                "owner_organisation": item.owner_organisation_id,
                "owner_user": item.owner_user_id,
                "due_on": item.due_on,
                "note": item.note,
            },
            **choices,
        )
    return _form_page(
        request, case, form, title=_("Release plan: %(area)s") % {"area": item.get_area_display()}, submit=_("Save")
    )


@login_required
@require_http_methods(["GET", "POST"])
def details_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    plan = _open_plan(request, case)
    if plan is None:
        return _to_plan_page(case)
    offices = list(Office.objects.select_related("region").order_by("region__code", "code"))
    if request.method == "POST":
        form = HandoverDetailsForm(request.POST, offices=offices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.release_plan_set_handover(
                    actor=staff_user(request),
                    plan=plan,
                    data=services.HandoverDetails(
                        receiving_office_id=d["receiving_office"],
                        handover_kind=d["handover_kind"],
                        decision_court=d["decision_court"],
                        decision_number=d["decision_number"],
                        decision_date=d["decision_date"],
                        decision_effective_date=d["decision_effective_date"],
                        term_months=d["term_months"],
                        term_days=d["term_days"] or 0,
                    ),
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The receiving office and the handover are saved."))
    else:
        form = HandoverDetailsForm(
            initial={
                "receiving_office": plan.receiving_office_id,
                "handover_kind": plan.handover_kind,
                "decision_court": plan.decision_court,
                "decision_number": plan.decision_number,
                "decision_date": plan.decision_date,
                "decision_effective_date": plan.decision_effective_date,
                "term_months": plan.term_months,
                "term_days": plan.term_days,
            },
            offices=offices,
        )
    return _form_page(request, case, form, title=_("Receiving office and handover"), submit=_("Save"))


@login_required
@require_http_methods(["GET", "POST"])
def handover_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    plan = _open_plan(request, case)
    if plan is None:
        return _to_plan_page(case)
    if request.method == "POST":
        form = HandoverForm(request.POST)
        if form.is_valid():
            try:
                new_case = handover.release_plan_handover(
                    actor=staff_user(request), plan=plan, released_on=form.cleaned_data["released_on"]
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("Handed over: case %(number)s is opened.") % {"number": new_case.number})
    else:
        form = HandoverForm(initial={"released_on": local_today()})
    return _form_page(
        request,
        case,
        form,
        title=_("Hand over on release"),
        submit=_("Hand over now"),
        extra={"plan": plan, "handover": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    plan = _open_plan(request, case)
    if plan is None:
        return _to_plan_page(case)
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.release_plan_cancel(actor=staff_user(request), plan=plan, reason=form.cleaned_data["reason"])
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The release plan is cancelled."))
    else:
        form = CancelForm()
    return _form_page(request, case, form, title=_("Cancel the release plan"), submit=_("Cancel the plan"))


@login_required
@require_GET
def plans_list(request: HttpRequest) -> HttpResponse:
    """Release plans of the office (or region) by release date, with their readiness."""
    require_cap(request, Cap.CASE_VIEW)
    status = request.GET.get("status") or PlanStatus.OPEN
    if status not in PlanStatus.values:
        status = PlanStatus.OPEN
    rows = selectors.office_plans(user=request.user, on=local_today(), status=status)
    return render(request, "releases/list.html", {"rows": rows, "status": status, "statuses": PlanStatus.choices})


@login_required
@require_GET
def arriving_list(request: HttpRequest) -> HttpResponse:
    """People arriving from prison in the user's district: plans the receiving office has been told of."""
    require_cap(request, Cap.CASE_VIEW)
    rows = selectors.arriving_plans(user=request.user, on=local_today())
    return render(request, "releases/arriving.html", {"rows": rows})

"""Labour pages of a case. Thin: reads through ``labour.selectors`` (out of jurisdiction → 404),
writes through ``labour.services``; a refused entry comes back on its form, never a 500."""

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
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import UswdsForm, apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.labour import selectors, services
from openprobation.labour.forms import AnswerForm, EmploymentForm, HoursForm, OfferForm, ReferralForm, RejudgeForm
from openprobation.labour.models import EmploymentDuty, JobOffer


def _visible(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.labour_case(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _editable(request: HttpRequest, pk: int) -> Case:
    """The case a labour form works on: 404 outside the jurisdiction, 403 when the user may not
    change it. A GET shows the form (a read of the case, recorded); a POST is recorded by the service."""
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


def may_change(user: Any, case: Case) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


@login_required
@require_GET
def labour_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Forced labour this year with its hours log (paged), and the employment duty's history."""
    case = _visible(request, pk)
    today = local_today()
    context = {
        "case": case,
        "status": selectors.forced_labour_status(case, today),
        "hours": selectors.hours_page(case=case, page=request.GET.get("page")),
        "duty": selectors.employment_duty(case=case),
        "decisions": selectors.decisions(case=case),
        "may_change": may_change(request.user, case),
        "today": today,
    }
    return render(request, "labour/overview.html", context)


def _form_page(
    request: HttpRequest, case: Case, form: UswdsForm, *, title: str, submit: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    if request.method == "POST":
        case_shown(user=request.user, case=case, part="labour")  # the form came back with its errors
    context = {"case": case, "form": form, "title": title, "submit": submit, "action": request.path, **(extra or {})}
    return render(request, "labour/form.html", context)


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("labour:overview", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def hours_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    status = selectors.forced_labour_status(case, local_today()) if request.method == "GET" else None
    if request.method == "POST":
        form = HoursForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.labour_hours_log(
                    actor=staff_user(request),
                    case=case,
                    data=services.HoursInput(
                        worked_on=d["worked_on"], hours=d["hours"], organisation=d["organisation"], note=d["note"]
                    ),
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The hours are recorded."))
    else:
        last = selectors.hours_log(case=case).first()
        form = HoursForm(initial={"worked_on": local_today(), "organisation": last.organisation if last else ""})
    return _form_page(
        request, case, form, title=_("Log forced-labour hours"), submit=_("Record the hours"), extra={"status": status}
    )


@login_required
@require_http_methods(["GET", "POST"])
def employment_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    if request.method == "POST":
        form = EmploymentForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.employment_record(
                    actor=staff_user(request),
                    case=case,
                    status=d["status"],
                    on=d["on"],
                    employer=d["employer"],
                    note=d["note"],
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The employment duty is updated."))
    else:
        form = EmploymentForm(initial={"on": local_today()})
    return _form_page(request, case, form, title=_("Record work or study"), submit=_("Record"))


@login_required
@require_http_methods(["GET", "POST"])
def referral_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    if request.method == "POST":
        form = ReferralForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.job_referral_record(
                    actor=staff_user(request),
                    case=case,
                    kind=d["kind"],
                    organisation=d["organisation"],
                    issued_on=d["issued_on"],
                    note=d["note"],
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The referral is recorded."))
    else:
        form = ReferralForm(initial={"issued_on": local_today()})
    return _form_page(request, case, form, title=_("Record a job referral"), submit=_("Record the referral"))


def _referrals(case: Case) -> list[Any]:
    duty = EmploymentDuty.objects.filter(case=case).first()
    return list(duty.referrals.all()) if duty else []


@login_required
@require_http_methods(["GET", "POST"])
def offer_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    referrals = _referrals(case)
    if request.method == "POST":
        form = OfferForm(request.POST, referrals=referrals)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.job_offer_record(
                    actor=staff_user(request),
                    case=case,
                    employer=d["employer"],
                    position=d["position"],
                    offered_on=d["offered_on"],
                    referral_id=d["referral"],
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The job offer is recorded."))
    else:
        form = OfferForm(initial={"offered_on": local_today()}, referrals=referrals)
    return _form_page(request, case, form, title=_("Record a job offer"), submit=_("Record the offer"))


@login_required
@require_http_methods(["GET", "POST"])
def offer_answer_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    offer = JobOffer.objects.filter(duty__case=case, pk=record).first()
    if offer is None:
        raise Http404
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.job_offer_answer(
                    actor=staff_user(request),
                    case=case,
                    offer_id=offer.pk,
                    answer=d["answer"],
                    answered_on=d["answered_on"],
                    reason=d["reason"],
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The answer is recorded."))
    else:
        form = AnswerForm(initial={"answered_on": local_today()})
    return _form_page(
        request,
        case,
        form,
        title=_("Record the answer to a job offer"),
        submit=_("Record the answer"),
        extra={"offer": offer},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rejudge_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    status = selectors.forced_labour_status(case, local_today())
    if request.method == "POST":
        form = RejudgeForm(request.POST)
        if form.is_valid():
            try:
                services.forced_labour_rejudge(actor=staff_user(request), case=case, reason=form.cleaned_data["reason"])
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                return _done(request, case, _("The forced-labour exemptions are judged again and recorded."))
    else:
        form = RejudgeForm()
    return _form_page(
        request,
        case,
        form,
        title=_("Judge the forced-labour exemptions again"),
        submit=_("Record the decision"),
        extra={"status": status, "rejudge": True},
    )

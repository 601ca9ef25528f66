"""Employment pages of a case. Thin: reads through ``employment.selectors`` (out of jurisdiction →
404), writes through ``employment.case_services``; a refused entry comes back on its form, never a 500."""

from __future__ import annotations

from collections.abc import Callable
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
from openprobation.employment import case_services, selectors
from openprobation.employment.forms import (
    PlacementEndForm,
    PlacementForm,
    ReferralExpireForm,
    ReferralForm,
    RefusalForm,
    StatusForm,
    options,
)
from openprobation.employment.models import EmploymentReferral, Placement, ReferralStatus


def _visible(request: HttpRequest, pk: int) -> Case:
    try:
        return selectors.employment_case(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def may_change(user: Any, case: Case) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


def _editable(request: HttpRequest, pk: int) -> Case:
    """404 outside the jurisdiction, 403 when the user may not change the case (a former office,
    a read-only role, a finished case). A GET shows the form (a read, recorded); a POST is recorded
    by the service."""
    if request.method == "POST":
        try:
            case = case_for_change(user=request.user, pk=pk)
        except Case.DoesNotExist:
            raise Http404 from None
    else:
        case = _visible(request, pk)
    if not may_change(request.user, case):
        raise PermissionDenied
    return case


@login_required
@require_GET
def case_employment(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's employment status history and the case's referrals, placements and refusals."""
    case = _visible(request, pk)
    context = {
        "case": case,
        "data": selectors.case_employment(case=case),
        "may_change": may_change(request.user, case),
    }
    return render(request, "employment/case.html", context)


def _form_page(
    request: HttpRequest, case: Case, form: UswdsForm, *, title: str, submit: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    if request.method == "POST":
        case_shown(user=request.user, case=case, part="employment")  # the form came back with its errors
    context = {"case": case, "form": form, "title": title, "submit": submit, "action": request.path, **(extra or {})}
    return render(request, "employment/form.html", context)


def _handle(
    request: HttpRequest,
    case: Case,
    form: UswdsForm,
    write: Callable[[dict[str, Any]], Any],
    *,
    done: str,
    title: str,
    submit: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, done)
            return redirect("employment:case", pk=case.pk)
    return _form_page(request, case, form, title=title, submit=submit, extra=extra)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def referral_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    office = case.office
    form = ReferralForm(
        _data(request),
        initial={"issued_on": local_today()},
        choices={
            "centre": options(selectors.district_centres(office)),
            "vacancy": options(selectors.open_vacancies(office), empty=_("— none —")),
            "employer": options(selectors.region_employers(office), empty=_("— none —")),
        },
    )
    return _handle(
        request,
        case,
        form,
        lambda d: case_services.referral_issue(
            actor=staff_user(request),
            case=case,
            centre_id=d["centre"],
            vacancy_id=d["vacancy"],
            employer_id=d["employer"],
            number=d["number"],
            issued_on=d["issued_on"],
            note=d["note"],
        ),
        done=_("The referral is recorded."),
        title=_("Record a referral from the employment centre"),
        submit=_("Record the referral"),
    )


def _referral(case: Case, record: int) -> EmploymentReferral:
    referral = EmploymentReferral.objects.filter(case=case, pk=record).select_related("employer").first()
    if referral is None:
        raise Http404
    return referral


@login_required
@require_http_methods(["GET", "POST"])
def referral_expire_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    referral = _referral(case, record)
    form = ReferralExpireForm(_data(request), initial={"on": local_today()})
    return _handle(
        request,
        case,
        form,
        lambda d: case_services.referral_expire(actor=staff_user(request), case=case, referral_id=referral.pk, **d),
        done=_("The referral is recorded as lapsed."),
        title=_("The referral lapsed"),
        submit=_("Record"),
        extra={"summary": str(referral)},
    )


def _open_referrals(case: Case) -> list[EmploymentReferral]:
    return list(EmploymentReferral.objects.filter(case=case, status=ReferralStatus.ISSUED).select_related("employer"))


@login_required
@require_http_methods(["GET", "POST"])
def placement_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    office = case.office
    form = PlacementForm(
        _data(request),
        initial={"started_on": local_today()},
        choices={
            "referral": options(_open_referrals(case), empty=_("— none —")),
            "vacancy": options(selectors.open_vacancies(office), empty=_("— none —")),
            "employer": options(selectors.region_employers(office), empty=_("— none —")),
        },
    )

    def write(d: dict[str, Any]) -> Any:
        return case_services.placement_start(
            actor=staff_user(request),
            case=case,
            position=d["position"],
            started_on=d["started_on"],
            employer_id=d["employer"],
            referral_id=d["referral"],
            vacancy_id=d["vacancy"],
            outside_quota=d["outside_quota"],
        )

    return _handle(
        request,
        case,
        form,
        write,
        done=_("The placement is recorded."),
        title=_("Record a placement"),
        submit=_("Record the placement"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_end_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _editable(request, pk)
    placement = Placement.objects.filter(case=case, pk=record).select_related("employer").first()
    if placement is None:
        raise Http404
    form = PlacementEndForm(_data(request), initial={"ended_on": local_today()})
    return _handle(
        request,
        case,
        form,
        lambda d: case_services.placement_end(actor=staff_user(request), case=case, placement_id=placement.pk, **d),
        done=_("The end of the placement is recorded."),
        title=_("Record the end of a placement"),
        submit=_("Record the end"),
        extra={"summary": str(placement)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def refusal_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    form = RefusalForm(
        _data(request),
        initial={"refused_on": local_today()},
        choices={
            "referral": options(_open_referrals(case), empty=_("— none —")),
            "employer": options(selectors.region_employers(case.office), empty=_("— none —")),
        },
    )

    def write(d: dict[str, Any]) -> Any:
        return case_services.refusal_record(
            actor=staff_user(request),
            case=case,
            refused_on=d["refused_on"],
            reason=d["reason"],
            good_reason=d["good_reason"],
            referral_id=d["referral"],
            employer_id=d["employer"],
        )

    return _handle(
        request,
        case,
        form,
        write,
        done=_("The refusal is recorded."),
        title=_("Record a refusal of work"),
        submit=_("Record the refusal"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def status_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable(request, pk)
    form = StatusForm(_data(request), initial={"since": local_today(), "status": case.person.employment_status})
    return _handle(
        request,
        case,
        form,
        lambda d: case_services.status_record(actor=staff_user(request), case=case, **d),
        done=_("The employment status is recorded."),
        title=_("Record the employment status"),
        submit=_("Record"),
    )

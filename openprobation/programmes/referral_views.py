"""The office's referral pages: refer a programme measure to a partner (draft or send at once), a
case's referrals, one referral with its history (send, cancel), and the office's list ("waiting for
an answer", "overdue"). Thin: reads through ``referral_selectors`` (out of jurisdiction: 404),
writes through ``referral_services`` (a refusal comes back on its form, never a 500)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openprobation.accounts.permissions import require_cap, staff_user
from openprobation.accounts.roles import Cap
from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_for_change, case_shown
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.programmes import referral_selectors as selectors
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import ProgrammeMeasure, Referral, ReferralStatus
from openprobation.programmes.referral_forms import SEND, CancelForm, ReferralForm, SendForm


def _case(request: HttpRequest, pk: int, *, change: bool) -> Case:
    """The case: 404 outside the jurisdiction; for a change, 403 when the user may not change it.
    A GET is a recorded read; a POST is recorded by the service."""
    try:
        if change and request.method == "POST":
            case = case_for_change(user=request.user, pk=pk)
        else:
            case = selectors.referral_case(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None
    if change and not may_change(request.user, case):
        raise PermissionDenied
    return case


def may_change(user: Any, case: Case) -> bool:
    return may(user, CaseAction.EDIT, case) and case.status not in TERMINAL


def _referral(case: Case, record: int) -> Referral:
    try:
        return selectors.case_referral(case=case, record=record)
    except Referral.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    """Refer a measure of the case's programme to a partner organisation: save a draft or send."""
    case = _case(request, pk, change=True)
    try:
        measure = selectors.case_measure(case=case, record=record)
    except ProgrammeMeasure.DoesNotExist:
        raise Http404 from None
    organisations = selectors.organisations_for_measure(user=request.user, case=case, measure=measure)
    if request.method == "POST":
        form = ReferralForm(request.POST, organisations=organisations)
        if form.is_valid():
            d = form.cleaned_data
            org = next((o for o in organisations if o.pk == d["organisation"]), None)
            try:
                if org is None:
                    raise DomainError(_("Choose an organisation from the list."), field="organisation")
                referral = services.referral_create(
                    actor=staff_user(request),
                    case=case,
                    measure=measure,
                    data=services.ReferralInput(
                        organisation=org,
                        request=d["request"],
                        share_phone=d["share_phone"],
                        complete_due=d["complete_due"],
                    ),
                    send=request.POST.get("submit") == SEND,
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                sent = referral.status == ReferralStatus.SENT
                messages.success(
                    request,
                    _("Referral %(number)s is sent.") % {"number": referral.number}
                    if sent
                    else _("Referral %(number)s is saved as a draft.") % {"number": referral.number},
                )
                return redirect("programmes:referral_detail", pk=case.pk, record=referral.pk)
        case_shown(user=request.user, case=case, part="referrals")
    else:
        # The measure's responsible organisation is the usual addressee: chosen already when it fits.
        fits = measure.organisation_id in {o.pk for o in organisations}
        initial = {"request": measure.description, "organisation": measure.organisation_id if fits else None}
        form = ReferralForm(organisations=organisations, initial=initial)
    context = {"case": case, "measure": measure, "form": form, "organisations": organisations}
    return render(request, "programmes/referrals/new.html", context)


@login_required
@require_GET
def case_referrals(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk, change=False)
    today = local_today()
    rows = [(r, services.is_overdue(r, today)) for r in selectors.case_referrals(case=case)]
    return render(request, "programmes/referrals/case_list.html", {"case": case, "rows": rows, "today": today})


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, change=False)
    referral = _referral(case, record)
    return _detail_page(request, case, referral)


def _detail_page(
    request: HttpRequest,
    case: Case,
    referral: Referral,
    *,
    send_form: SendForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = local_today()
    context = {
        "case": case,
        "referral": referral,
        "events": selectors.referral_history(referral),
        "overdue": services.is_overdue(referral, today),
        "may_change": may_change(request.user, case),
        "may_send": referral.status == ReferralStatus.DRAFT,
        "may_cancel": services.REFERRAL_LIFECYCLE.can_move(referral.status, ReferralStatus.CANCELLED),
        "send_form": send_form or SendForm(),
        "cancel_form": cancel_form or CancelForm(),
    }
    return render(request, "programmes/referrals/detail.html", context, status=status)


@login_required
@require_POST
def referral_send(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    referral = _referral(case, record)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            referral = services.referral_send(
                actor=staff_user(request), referral=referral, complete_due=form.cleaned_data["complete_due"]
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("Referral %(number)s is sent.") % {"number": referral.number})
            return redirect("programmes:referral_detail", pk=case.pk, record=referral.pk)
    case_shown(user=request.user, case=case, part="referrals")
    return _detail_page(request, case, referral, send_form=form, status=400)


@login_required
@require_POST
def referral_cancel(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    case = _case(request, pk, change=True)
    referral = _referral(case, record)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            referral = services.referral_cancel(
                actor=staff_user(request), referral=referral, reason=form.cleaned_data["reason"]
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("Referral %(number)s is cancelled.") % {"number": referral.number})
            return redirect("programmes:referral_detail", pk=case.pk, record=referral.pk)
    case_shown(user=request.user, case=case, part="referrals")
    return _detail_page(request, case, referral, cancel_form=form, status=400)


VIEW_LABELS = {
    "open": pgettext_lazy("referrals filter", "Open"),
    "waiting": gettext_lazy("Waiting for an answer"),
    "overdue": gettext_lazy("Overdue"),
    "all": gettext_lazy("All"),
}


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """The referrals of the user's cases (an officer) or office/region (senior staff)."""
    require_cap(request, Cap.CASE_VIEW)
    view = request.GET.get("view", "open")
    if view not in selectors.VIEWS:
        view = "open"
    mine = request.GET.get("mine") == "1"
    today = local_today()
    rows = [
        (r, services.is_overdue(r, today))
        for r in selectors.office_referrals(user=request.user, view=view, today=today, mine=mine)
    ]
    context = {
        "rows": rows,
        "view": view,
        "mine": mine,
        "views": [(key, str(label)) for key, label in VIEW_LABELS.items()],
        "overdue_total": selectors.overdue_count(user=request.user, today=today),
    }
    return render(request, "programmes/referrals/office_list.html", context)

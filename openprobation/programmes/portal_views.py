"""The partner portal: a partner organisation's staff see the referrals addressed to their
organisation (only what each needs) and answer them. Everyone else is refused (403 without the
portal capability, 404 for a referral not addressed to the user's organisation or a draft)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from openprobation.accounts.permissions import require_cap, staff_user
from openprobation.accounts.roles import Cap
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.programmes import referral_selectors as selectors
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import PartnerOrganisation, Referral, ReferralStatus
from openprobation.programmes.referral_forms import PortalActionForm
from openprobation.programmes.referral_services import PartnerAction

# What the partner may do in each state (the lifecycle refuses anything else).
ACTIONS_BY_STATUS: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (PartnerAction.ACCEPT, PartnerAction.DECLINE),
    ReferralStatus.ACCEPTED: (PartnerAction.START, PartnerAction.UPDATE, PartnerAction.COMPLETE),
    ReferralStatus.IN_PROGRESS: (PartnerAction.UPDATE, PartnerAction.COMPLETE),
}


def _organisation(request: HttpRequest) -> PartnerOrganisation:
    require_cap(request, Cap.PARTNER_PORTAL)
    org_id = services.partner_organisation_id(request.user)
    organisation = PartnerOrganisation.objects.filter(pk=org_id).first() if org_id else None
    if organisation is None:
        raise Http404
    return organisation


@login_required
@require_GET
def portal_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    view = request.GET.get("view", "open")
    if view not in selectors.PORTAL_VIEWS:
        view = "open"
    rows = selectors.portal_referrals(user=request.user, view=view, today=local_today())
    views = [
        ("open", pgettext("referrals filter", "Open")),
        ("waiting", _("Waiting for your answer")),
        ("overdue", _("Overdue")),
        ("all", _("All")),
    ]
    context = {"organisation": organisation, "rows": rows, "view": view, "views": views}
    return render(request, "programmes/portal/list.html", context)


def _detail(
    request: HttpRequest, organisation: PartnerOrganisation, pk: int, form: PortalActionForm | None = None
) -> HttpResponse:
    try:
        card = selectors.portal_referral(user=request.user, pk=pk, today=local_today())
    except Referral.DoesNotExist:
        raise Http404 from None
    actions = [(a, services.PARTNER_ACTIONS[a]) for a in ACTIONS_BY_STATUS.get(card.status, ())]
    context = {
        "organisation": organisation,
        "referral": card,
        "actions": actions,
        "form": form,
        "failed_action": form.data.get("action") if form is not None else "",
    }
    return render(request, "programmes/portal/detail.html", context, status=400 if form is not None else 200)


@login_required
@require_GET
def portal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request)
    return _detail(request, organisation, pk)


@login_required
@require_POST
def portal_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept, decline, mark in progress, post an update or complete (the ``action`` field)."""
    organisation = _organisation(request)
    try:
        referral = selectors.portal_referral_for_change(user=request.user, pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None
    form = PortalActionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.referral_partner_act(
                actor=staff_user(request),
                referral=referral,
                action=d["action"],
                note=d["note"],
                achieved=d["achieved"],
            )
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("Referral %(number)s is updated.") % {"number": referral.number})
            return redirect("programmes:portal_detail", pk=referral.pk)
    return _detail(request, organisation, pk, form=form)

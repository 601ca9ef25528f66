"""Pages of the registry of partner organisations: the list (filters and search), one organisation,
register, edit (deactivating is unticking "active") and tying a partner-staff user to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openprobation.accounts.models import Office
from openprobation.accounts.permissions import require_cap, staff_user
from openprobation.accounts.roles import Cap
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.programmes import organisations as registry
from openprobation.programmes.catalogue import measure_label
from openprobation.programmes.models import PartnerOrganisation
from openprobation.programmes.referral_forms import OrganisationFilterForm, OrganisationForm, StaffLinkForm


def _offices(region_id: int | None) -> list[Office]:
    if region_id is None:
        return list(Office.objects.order_by("code"))
    return list(Office.objects.filter(region_id=region_id).order_by("code"))


def _organisation(request: HttpRequest, pk: int) -> PartnerOrganisation:
    try:
        return registry.organisation_detail(user=request.user, pk=pk)
    except PartnerOrganisation.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_cap(request, Cap.CASE_VIEW)
    offices = _offices(registry.user_region_id(request.user))
    form = OrganisationFilterForm(request.GET or None, offices=offices)
    filters = registry.OrganisationFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = registry.OrganisationFilters(
            q=d["q"] or "",
            kind=d["kind"] or "",
            district=d["district"],
            measure=d["measure"] or "",
            active=d["active"] or "yes",
        )
    rows = list(registry.organisation_list(user=request.user, filters=filters)[:300])
    context = {
        "form": form,
        "rows": rows,
        "may_create": registry.may_keep(request.user, registry.user_region_id(request.user)),
    }
    return render(request, "programmes/organisations/list.html", context)


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request, pk)
    may_keep = registry.may_keep(request.user, org.region_id)
    context = {
        "org": org,
        "services": [measure_label(code) for code in org.services or []],
        "may_keep": may_keep,
        "staff_form": StaffLinkForm(users=list(registry.unlinked_partner_users())) if may_keep else None,
    }
    return render(request, "programmes/organisations/detail.html", context)


def _input(d: dict[str, Any], offices: list[Office]) -> registry.OrganisationInput:
    chosen = set(d["districts"] or [])
    return registry.OrganisationInput(
        name=d["name"],
        name_kk=d["name_kk"],
        kind=d["kind"],
        bin=d["bin"],
        districts=[o for o in offices if o.pk in chosen],
        services=list(d["services"] or []),
        capacity=d["capacity"],
        capacity_period=d["capacity_period"],
        contact_person=d["contact_person"],
        phone=d["phone"],
        email=d["email"],
        address=d["address"],
        languages=list(d["languages"] or []),
        active=d["active"],
    )


def _form_page(
    request: HttpRequest, form: OrganisationForm, *, title: str, org: PartnerOrganisation | None
) -> HttpResponse:
    context = {"form": form, "title": title, "org": org, "action": request.path}
    return render(request, "programmes/organisations/form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: HttpRequest) -> HttpResponse:
    region_id = registry.user_region_id(request.user)
    if not registry.may_keep(request.user, region_id):
        raise PermissionDenied
    offices = _offices(region_id)
    if request.method == "POST":
        form = OrganisationForm(request.POST, offices=offices)
        if form.is_valid():
            try:
                org = registry.organisation_create(actor=staff_user(request), data=_input(form.cleaned_data, offices))
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The organisation is registered."))
                return redirect("programmes:organisation_detail", pk=org.pk)
    else:
        form = OrganisationForm(offices=offices, initial={"active": True})
    return _form_page(request, form, title=_("Register a partner organisation"), org=None)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request, pk)
    if not registry.may_keep(request.user, org.region_id):
        raise PermissionDenied
    offices = _offices(org.region_id)
    if request.method == "POST":
        form = OrganisationForm(request.POST, offices=offices)
        if form.is_valid():
            try:
                registry.organisation_update(
                    actor=staff_user(request), organisation=org, data=_input(form.cleaned_data, offices)
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The organisation is updated."))
                return redirect("programmes:organisation_detail", pk=org.pk)
    else:
        initial = {
            name: getattr(org, name)
            for name in (
                "name",
                "name_kk",
                "kind",
                "bin",
                "services",
                "capacity",
                "capacity_period",
                "contact_person",
                "phone",
                "email",
                "address",
                "languages",
                "active",
            )
        }
        initial["districts"] = [o.pk for o in org.districts.all()]
        form = OrganisationForm(offices=offices, initial=initial)
    return _form_page(request, form, title=_("Edit %(name)s") % {"name": org.name}, org=org)


@login_required
@require_POST
def organisation_staff(request: HttpRequest, pk: int) -> HttpResponse:
    """Tie a partner-staff user to the organisation."""
    org = _organisation(request, pk)
    if not registry.may_keep(request.user, org.region_id):
        raise PermissionDenied
    users = list(registry.unlinked_partner_users())
    form = StaffLinkForm(request.POST, users=users)
    if form.is_valid():
        user = next((u for u in users if u.pk == form.cleaned_data["user"]), None)
        try:
            if user is None:
                raise DomainError(_("Choose a user from the list."), field="user")
            registry.partner_staff_link(actor=staff_user(request), organisation=org, user=user)
        except DomainError as err:
            apply_domain_error(form, err)
        else:
            messages.success(request, _("%(user)s now works for this organisation.") % {"user": user.display_name})
            return redirect("programmes:organisation_detail", pk=org.pk)
    context = {
        "org": org,
        "services": [measure_label(code) for code in org.services or []],
        "may_keep": True,
        "staff_form": form,
    }
    return render(request, "programmes/organisations/detail.html", context, status=400)

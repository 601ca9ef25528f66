"""Pages of the volunteer registry. Thin: reads through ``volunteers.selectors`` (out of
jurisdiction → 404), writes through ``volunteers.services``; a refused entry comes back on its form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openprobation.accounts.models import Office
from openprobation.accounts.permissions import staff_user
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.forms import UswdsForm, apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import PartnerOrganisation
from openprobation.volunteers import selectors, services
from openprobation.volunteers.forms import CheckForm, RegistryFilterForm, StatusForm, VolunteerForm
from openprobation.volunteers.lifecycle import VOLUNTEER_LIFECYCLE
from openprobation.volunteers.models import Volunteer

PAGE_SIZE = 25


def _reader(request: HttpRequest) -> None:
    if not selectors.may_read_registry(request.user):
        raise PermissionDenied


def _visible(request: HttpRequest, pk: int) -> Volunteer:
    try:
        return selectors.volunteer_detail(user=request.user, pk=pk)
    except Volunteer.DoesNotExist:
        raise Http404 from None


def _managed(request: HttpRequest, pk: int) -> Volunteer:
    """The volunteer a registry form works on: 404 outside the jurisdiction, 403 when the user may
    not manage them. A GET shows the form (a read, recorded); a POST is recorded by the service."""
    if request.method == "POST":
        try:
            volunteer = selectors.volunteer_for_change(user=request.user, pk=pk)
        except Volunteer.DoesNotExist:
            raise Http404 from None
    else:
        volunteer = _visible(request, pk)
    if not selectors.may_manage(request.user, volunteer):
        raise PermissionDenied
    return volunteer


@login_required
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    offices = list(selectors.registry_offices(request.user))
    form = RegistryFilterForm(request.GET or None, offices=offices)
    filters = selectors.RegistryFilters()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        filters = selectors.RegistryFilters(
            q=d["q"].strip(), kind=d["kind"], status=d["status"], office=d["office"], attention=d["attention"]
        )
    today = local_today()
    rows = selectors.volunteer_list(user=request.user, filters=filters, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "today": today,
        "may_manage": selectors.may_manage_registry(request.user),
    }
    return render(request, "volunteers/list.html", context)


def _organisations(region_ids: list[int]) -> list[PartnerOrganisation]:
    return list(PartnerOrganisation.objects.filter(region_id__in=region_ids, active=True).order_by("name"))


def _input(d: dict[str, Any], offices: list[Office], organisations: list[PartnerOrganisation]) -> Any:
    by_pk = {o.pk: o for o in offices}
    organisation = next((o for o in organisations if o.pk == d["organisation"]), None)
    return services.VolunteerInput(
        full_name=d["full_name"],
        offices=[by_pk[pk] for pk in d["offices"] if pk in by_pk],
        kind=d["kind"],
        iin=d["iin"],
        phone=d["phone"],
        email=d["email"],
        languages=d["languages"],
        organisation=organisation,
        note=d["note"],
    )


def _form_page(
    request: HttpRequest, form: UswdsForm, *, title: str, submit: str, volunteer: Any = None
) -> HttpResponse:
    context = {"form": form, "title": title, "submit": submit, "action": request.path, "volunteer": volunteer}
    return render(request, "volunteers/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_new(request: HttpRequest) -> HttpResponse:
    if not selectors.may_manage_registry(request.user):
        raise PermissionDenied
    offices = list(selectors.registry_offices(request.user))
    organisations = _organisations(sorted({o.region_id for o in offices}))
    if request.method == "POST":
        form = VolunteerForm(request.POST, offices=offices, organisations=organisations)
        if form.is_valid():
            try:
                volunteer = services.volunteer_register(
                    actor=staff_user(request), data=_input(form.cleaned_data, offices, organisations)
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The volunteer is registered. Record their checks and training next."))
                return redirect("volunteers:detail", record=volunteer.pk)
    else:
        initial = {"offices": [offices[0].pk]} if len(offices) == 1 else {}
        form = VolunteerForm(initial=initial, offices=offices, organisations=organisations)
    return _form_page(request, form, title=_("Register a volunteer or mentor"), submit=_("Register"))


@login_required
@require_GET
def volunteer_detail(request: HttpRequest, record: int) -> HttpResponse:
    volunteer = _visible(request, record)
    today = local_today()
    context = {
        "volunteer": volunteer,
        "eligibility": selectors.volunteer_eligibility(volunteer, today),
        "checks": selectors.volunteer_checks(volunteer),
        "assignments": selectors.volunteer_assignments(volunteer, request.user),
        "session_count": selectors.volunteer_session_count(volunteer),
        "history": list(volunteer.status_changes.select_related("by")),
        "may_manage": selectors.may_manage(request.user, volunteer),
        "today": today,
    }
    return render(request, "volunteers/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, record: int) -> HttpResponse:
    volunteer = _managed(request, record)
    current = list(volunteer.offices.all())
    offices = list({o.pk: o for o in [*selectors.registry_offices(request.user), *current]}.values())
    offices = [o for o in offices if o.region_id == volunteer.region_id]
    organisations = _organisations([volunteer.region_id])
    if request.method == "POST":
        form = VolunteerForm(request.POST, offices=offices, organisations=organisations)
        if form.is_valid():
            try:
                services.volunteer_update(
                    actor=staff_user(request),
                    volunteer=volunteer,
                    data=_input(form.cleaned_data, offices, organisations),
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The volunteer's details are saved."))
                return redirect("volunteers:detail", record=volunteer.pk)
    else:
        initial = {
            "full_name": volunteer.full_name,
            "kind": volunteer.kind,
            "iin": volunteer.iin,
            "phone": volunteer.phone,
            "email": volunteer.email,
            "languages": volunteer.languages,
            "offices": [o.pk for o in current],
            "organisation": volunteer.organisation_id,
            "note": volunteer.note,
        }
        form = VolunteerForm(initial=initial, offices=offices, organisations=organisations)
    return _form_page(request, form, title=_("Edit the volunteer"), submit=_("Save"), volunteer=volunteer)


@login_required
@require_http_methods(["GET", "POST"])
def check_view(request: HttpRequest, record: int) -> HttpResponse:
    volunteer = _managed(request, record)
    if request.method == "POST":
        form = CheckForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.volunteer_check_record(
                    actor=staff_user(request),
                    volunteer=volunteer,
                    kind=d["kind"],
                    passed=d["passed"],
                    on=d["on"],
                    reference=d["reference"],
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The check is recorded."))
                return redirect("volunteers:detail", record=volunteer.pk)
    else:
        form = CheckForm(initial={"on": local_today(), "passed": "yes"})
    return _form_page(request, form, title=_("Record a check or training"), submit=_("Record"), volunteer=volunteer)


@login_required
@require_http_methods(["GET", "POST"])
def status_view(request: HttpRequest, record: int) -> HttpResponse:
    volunteer = _managed(request, record)
    allowed = [(s, VOLUNTEER_LIFECYCLE.label(s)) for s in VOLUNTEER_LIFECYCLE.allowed(volunteer.status)]
    if request.method == "POST":
        form = StatusForm(request.POST, allowed=allowed)
        if form.is_valid():
            try:
                services.volunteer_set_status(
                    actor=staff_user(request),
                    volunteer=volunteer,
                    to_status=form.cleaned_data["to_status"],
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The volunteer's status is changed."))
                return redirect("volunteers:detail", record=volunteer.pk)
    else:
        form = StatusForm(allowed=allowed)
    return _form_page(request, form, title=_("Change the volunteer's status"), submit=_("Change"), volunteer=volunteer)

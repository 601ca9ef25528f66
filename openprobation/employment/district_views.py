"""District pages: employers with their quotas and usage, the quota form, vacancies, and the
district figures. Thin: ``employment.selectors`` / ``employment.figures`` read,
``employment.services`` write; an office outside the user's jurisdiction is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openprobation.accounts.models import Office
from openprobation.accounts.permissions import staff_user
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import apply_domain_error
from openprobation.core.timeutil import local_today
from openprobation.employment import figures, selectors, services
from openprobation.employment.forms import QuotaForm, VacancyCloseForm, VacancyForm, options
from openprobation.employment.models import Vacancy, VacancyStatus


def _office(request: HttpRequest, pk: int, roles: frozenset[str] = services.DISTRICT_ROLES) -> Office:
    try:
        return selectors.district_office(user=request.user, pk=pk, roles=roles)
    except Office.DoesNotExist:
        raise Http404 from None


def parse_year(value: Any) -> int:
    """The year asked for in the address (this year when absent or not a plain year)."""
    text = str(value or "").strip()
    today = local_today()
    if text.isascii() and text.isdigit() and len(text) == 4 and 2000 <= int(text) <= today.year + 1:
        return int(text)
    return today.year


@login_required
@require_GET
def district(request: HttpRequest, pk: int) -> HttpResponse:
    """Employers of the district with their quotas of the year and the usage, and the vacancies."""
    office = _office(request, pk)
    year = parse_year(request.GET.get("year"))
    selectors.district_read(user=request.user, office=office, part="quotas")
    context = {
        "office": office,
        "year": year,
        "years": [year - 1, year, year + 1] if year < local_today().year + 1 else [year - 1, year],
        "rows": selectors.quota_rows(office=office, year=year),
        "employers": selectors.district_employers(office),
        "centres": selectors.district_centres(office),
        "vacancies": list(selectors.vacancies(office=office)[:200]),
        "may_set_quota": getattr(request.user, "role", None) in services.QUOTA_ROLES,
    }
    return render(request, "employment/district.html", context)


def _page(request: HttpRequest, office: Office, form: Any, *, title: str, submit: str) -> HttpResponse:
    context = {"office": office, "form": form, "title": title, "submit": submit, "action": request.path}
    return render(request, "employment/district_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quota_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or change an employer's quota of the year in the district (head, regional admin)."""
    office = _office(request, pk, services.QUOTA_ROLES)
    choices = {"employer": options(selectors.region_employers(office))}
    if request.method == "POST":
        form = QuotaForm(request.POST, choices=choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                quota = services.quota_set(
                    actor=staff_user(request),
                    office=office,
                    employer_id=d["employer"],
                    year=d["year"],
                    places=d["places"],
                    decision_number=d["decision_number"],
                    decision_date=d["decision_date"],
                    note=d["note"],
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The quota is recorded."))
                return redirect(reverse("employment:district", args=[office.pk]) + f"?year={quota.year}")
    else:
        initial: dict[str, Any] = {"year": parse_year(request.GET.get("year"))}
        employer = request.GET.get("employer", "")
        if employer.isascii() and employer.isdigit():
            initial["employer"] = employer
        form = QuotaForm(initial=initial, choices=choices)
    return _page(request, office, form, title=_("Record a job quota"), submit=_("Record the quota"))


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_view(request: HttpRequest, pk: int) -> HttpResponse:
    office = _office(request, pk)
    choices = {"employer": options(selectors.region_employers(office))}
    if request.method == "POST":
        form = VacancyForm(request.POST, choices=choices)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.vacancy_open(
                    actor=staff_user(request),
                    office=office,
                    employer_id=d["employer"],
                    title=d["title"],
                    places=d["places"],
                    wage=d["wage"],
                    requirements=d["requirements"],
                    opened_on=d["opened_on"],
                    counts_toward_quota=d["counts_toward_quota"],
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The vacancy is recorded."))
                return redirect("employment:district", pk=office.pk)
    else:
        form = VacancyForm(initial={"opened_on": local_today(), "counts_toward_quota": True}, choices=choices)
    return _page(request, office, form, title=_("Record a vacancy"), submit=_("Record the vacancy"))


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_close_view(request: HttpRequest, pk: int, record: int) -> HttpResponse:
    office = _office(request, pk)
    vacancy = Vacancy.objects.filter(office=office, pk=record).select_related("employer").first()
    if vacancy is None:
        raise Http404
    if request.method == "POST":
        form = VacancyCloseForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.vacancy_close(
                    actor=staff_user(request), vacancy=vacancy, status=d["status"], on=d["on"], reason=d["reason"]
                )
            except DomainError as err:
                apply_domain_error(form, err)
            else:
                messages.success(request, _("The vacancy is closed."))
                return redirect("employment:district", pk=office.pk)
    else:
        if vacancy.status == VacancyStatus.CLOSED:
            raise PermissionDenied
        form = VacancyCloseForm(initial={"on": local_today(), "status": VacancyStatus.FILLED})
    return _page(
        request, office, form, title=_("Close the vacancy: %(v)s") % {"v": vacancy}, submit=_("Close the vacancy")
    )


@login_required
@require_GET
def figures_view(request: HttpRequest) -> HttpResponse:
    """People needing work, referred, placed, refusals and quota use per district of the year."""
    if not figures.may_see_figures(request.user):
        raise PermissionDenied
    year = parse_year(request.GET.get("year"))
    data = figures.district_figures(user=request.user, year=year)
    this_year = local_today().year
    context = {
        "figures": data,
        "year": year,
        "years": list(range(this_year - 4, this_year + 2)),
        "may_open_district": getattr(request.user, "role", None) in services.DISTRICT_ROLES,
    }
    return render(request, "employment/figures.html", context)

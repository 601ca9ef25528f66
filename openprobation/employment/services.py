"""Writes of the district's employment records: the akimat's annual job quotas and the vacancies
employers report. Each service is atomic, checks the actor's role and jurisdiction, and records
one audit event (a vacancy's status moves through its lifecycle, which records its own).

The case's records (referrals, placements, refusals, status history) are in ``case_services``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, Role, User
from openprobation.accounts.scoping import office_in_jurisdiction
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Move
from openprobation.core.timeutil import local_today
from openprobation.employment.domain import PlacementFact, QuotaUsage, quota_usage
from openprobation.employment.lifecycle import VACANCY_LIFECYCLE
from openprobation.employment.models import JobQuota, Placement, Vacancy, VacancyStatus
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.models import PartnerOrganisation

# Who sets the akimat's quotas in the system: the head of the district office, the regional
# administrator for the region's districts.
QUOTA_ROLES = frozenset({Role.HEAD_OF_OFFICE, Role.REGIONAL_ADMIN})
# Who records vacancies and sees the district's employers: the district's probation staff.
DISTRICT_ROLES = frozenset({Role.OFFICER, Role.SENIOR_OFFICER, Role.HEAD_OF_OFFICE, Role.REGIONAL_ADMIN})

# Far enough back for any record of the service; earlier dates are typing errors.
EARLIEST = dt.date(2000, 1, 1)
MAX_TEXT = 300
MAX_NOTE = 2000
MAX_PLACES = 100_000


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def check_text(value: Any, *, field: str, required: bool, message: str = "", limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(message or _("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    return value


def check_date(value: Any, *, field: str, earliest: dt.date | None = None, future: bool = False) -> dt.date:
    """A date not before ``earliest`` (or 2000) and, unless ``future``, not after today."""
    if not isinstance(value, dt.date):
        raise DomainError(_("Enter a date."), field=field)
    floor = max(earliest or EARLIEST, EARLIEST)
    if not future and value > local_today():
        raise DomainError(_("The date cannot be in the future."), field=field)
    if future and value > local_today() + dt.timedelta(days=366):
        raise DomainError(_("The date is too far in the future."), field=field)
    if value < floor:
        raise DomainError(_("The date cannot be before %(date)s.") % {"date": _d(floor)}, field=field)
    return value


def check_count(value: Any, *, field: str, minimum: int = 0) -> int:
    """A whole number of places typed in plain digits (``١٢`` or ``1e3`` are refused clearly)."""
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text or not text.isascii() or not text.isdigit() or len(text) > 7:
        raise DomainError(_("Enter a whole number, such as 5."), field=field)
    number = int(text)
    if number < minimum:
        raise DomainError(_("Enter at least %(n)s.") % {"n": minimum}, field=field)
    if number > MAX_PLACES:
        raise DomainError(_("Enter at most %(n)s.") % {"n": MAX_PLACES}, field=field)
    return number


def check_year(value: Any) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or len(text) != 4:
        raise DomainError(_("Enter the year as four digits, such as 2026."), field="year")
    year = int(text)
    today = local_today()
    if year < EARLIEST.year or year > today.year + 1:
        raise DomainError(
            _("Enter a year from %(first)s to %(last)s.") % {"first": EARLIEST.year, "last": today.year + 1},
            field="year",
        )
    return year


def _check_office(actor: User, office: Office, roles: frozenset[str]) -> None:
    if getattr(actor, "role", None) not in roles or not office_in_jurisdiction(actor, office):
        raise PermissionDeniedError(_("You may not change the employment records of this district."))


def organisation_for(
    *, office: Office, pk: Any, kind: str, field: str, message: str, serving: bool = False
) -> PartnerOrganisation:
    """An active partner organisation of ``kind`` in the district's region (and serving the
    district when ``serving``); anything else is a clear error on ``field``."""
    try:
        number = int(str(pk))
    except (TypeError, ValueError):
        raise DomainError(message, field=field) from None
    qs = PartnerOrganisation.objects.filter(pk=number, kind=kind, active=True, region_id=office.region_id)
    if serving:
        qs = qs.filter(districts=office)
    found = qs.first()
    if found is None:
        raise DomainError(message, field=field)
    return found


def employer_for(*, office: Office, pk: Any, field: str = "employer") -> PartnerOrganisation:
    return organisation_for(
        office=office,
        pk=pk,
        kind=OrganisationKind.EMPLOYER,
        field=field,
        message=_("Choose an employer of this district's region."),
    )


def usage_of(quota: JobQuota) -> QuotaUsage:
    """The quota's usage from its placements (``domain.quota_usage``)."""
    facts = [
        PlacementFact(started_on=s, ended_on=e, counts_toward_quota=True)
        for s, e in Placement.objects.filter(quota=quota).values_list("started_on", "ended_on")
    ]
    return quota_usage(places=quota.places, year=quota.year, placements=facts)


# --- Quotas ----------------------------------------------------------------------------------------------


def quota_set(
    *,
    actor: User,
    office: Office,
    employer_id: Any,
    year: Any,
    places: Any,
    decision_number: str,
    decision_date: Any,
    note: str = "",
) -> JobQuota:
    """Record (or change) the places an employer keeps in the district for a year, as the akimat's
    decision approved them (LoP: akimats approve job quotas at enterprises each year). The places
    cannot be cut below those already used that year."""
    _check_office(actor, office, QUOTA_ROLES)
    year = check_year(year)
    places = check_count(places, field="places")
    number = check_text(
        decision_number, field="decision_number", required=True, message=_("Enter the akimat decision number.")
    )
    decided = check_date(decision_date, field="decision_date")
    if decided.year > year:
        raise DomainError(_("A decision taken after the year cannot approve its quota."), field="decision_date")
    note = check_text(note, field="note", required=False, limit=MAX_NOTE)
    employer = employer_for(office=office, pk=employer_id)
    with transaction.atomic():
        quota = JobQuota.objects.select_for_update().filter(employer=employer, office=office, year=year).first()
        before: dict[str, Any] = {}
        if quota is not None:
            used = usage_of(quota).used
            if places < used:
                raise DomainError(
                    _("The quota cannot be cut to %(places)s places: %(used)s are already used in %(year)s.")
                    % {"places": places, "used": used, "year": year},
                    field="places",
                    code="below_used",
                )
            before = {"places": quota.places, "decision_number": quota.decision_number}
            before["decision_date"] = quota.decision_date.isoformat()
            quota.places, quota.decision_number, quota.decision_date = places, number, decided
            quota.note, quota.set_by = note, actor
            quota.save()
        else:
            quota = JobQuota.objects.create(
                employer=employer,
                office=office,
                year=year,
                places=places,
                decision_number=number,
                decision_date=decided,
                note=note,
                set_by=actor,
            )
        after = {"places": places, "decision_number": number, "decision_date": decided.isoformat()}
        audit_record(
            actor=actor,
            action="employment.quota_set",
            subject=quota,
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
            details={"office_id": office.pk, "employer_id": employer.pk, "year": year},
        )
    return quota


# --- Vacancies ---------------------------------------------------------------------------------------------


def parse_wage(value: Any) -> Decimal | None:
    text = str(value).strip().replace(",", ".").replace(" ", "") if value not in (None, "") else ""
    if not text:
        return None
    if not text.isascii() or any(c not in "0123456789." for c in text) or len(text) > 12:
        raise DomainError(_("Enter the wage in tenge as a number, such as 150000."), field="wage")
    try:
        wage = Decimal(text)
    except InvalidOperation:
        raise DomainError(_("Enter the wage in tenge as a number, such as 150000."), field="wage") from None
    if wage <= 0 or wage >= Decimal("1e10"):
        raise DomainError(_("Enter the wage in tenge as a number, such as 150000."), field="wage")
    return wage.quantize(Decimal("0.01"))


def vacancy_open(
    *,
    actor: User,
    office: Office,
    employer_id: Any,
    title: str,
    places: Any = 1,
    wage: Any = None,
    requirements: str = "",
    opened_on: Any,
    counts_toward_quota: bool = True,
) -> Vacancy:
    """A vacancy an employer of the district offers to people on probation."""
    _check_office(actor, office, DISTRICT_ROLES)
    employer = employer_for(office=office, pk=employer_id)
    title = check_text(title, field="title", required=True, message=_("Enter the position."))
    places = check_count(places, field="places", minimum=1)
    opened = check_date(opened_on, field="opened_on")
    with transaction.atomic():
        vacancy = Vacancy.objects.create(
            employer=employer,
            office=office,
            title=title,
            places=places,
            wage=parse_wage(wage),
            requirements=check_text(requirements, field="requirements", required=False, limit=MAX_NOTE),
            opened_on=opened,
            counts_toward_quota=bool(counts_toward_quota),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="employment.vacancy_open",
            subject=vacancy,
            changes={"vacancy": [None, str(vacancy)]},
            details={"office_id": office.pk, "employer_id": employer.pk, "places": places},
        )
    return vacancy


def vacancy_close(*, actor: User, vacancy: Vacancy, status: str, on: Any, reason: str = "") -> Vacancy:
    """Close a vacancy: filled (the places are taken) or closed (withdrawn)."""
    if status not in (VacancyStatus.FILLED, VacancyStatus.CLOSED):
        raise DomainError(_("Choose how the vacancy ends."), field="status")
    closed = check_date(on, field="on", earliest=vacancy.opened_on)
    reason = check_text(reason, field="reason", required=False, limit=MAX_NOTE) or str(VacancyStatus(status).label)

    def authorize(locked: Vacancy) -> None:
        _check_office(actor, locked.office, DISTRICT_ROLES)

    def apply(locked: Vacancy, move: Move) -> None:
        locked.closed_on = closed

    return VACANCY_LIFECYCLE.move(
        actor=actor,
        obj=vacancy,
        to_state=status,
        reason=reason,
        effective_on=closed,
        apply=apply,
        authorize=authorize,
        illegal_message=lambda a, b: _("This vacancy is already closed."),
    )


def open_vacancies_q(office: Office) -> Q:
    return Q(office=office, status=VacancyStatus.OPEN)

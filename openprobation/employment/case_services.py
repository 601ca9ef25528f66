"""Writes on a person's way to work, under their case: referrals the employment centre issues,
placements (start, end), refusals and the employment status history. Each service is atomic,
locks the case and checks that the actor may change it (``cases.services.case_locked_for_change``:
the case's current office, not a former one), and records its audit event. A referral's status
moves through its lifecycle (``employment.lifecycle``), which records that move on its own; a
change of the person's employment status goes through the people service, which records it too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError
from openprobation.employment.domain import PlacementFact, quota_usage
from openprobation.employment.lifecycle import REFERRAL_LIFECYCLE
from openprobation.employment.models import (
    EmploymentReferral,
    EmploymentStatusChange,
    EndReason,
    JobQuota,
    JobRefusal,
    Placement,
    ReferralStatus,
    StatusSource,
    Vacancy,
    VacancyStatus,
)
from openprobation.employment.services import (
    MAX_NOTE,
    check_date,
    check_text,
    employer_for,
    organisation_for,
)
from openprobation.labour import services as labour_services
from openprobation.labour.models import EmploymentDuty, OfferAnswer
from openprobation.people.models import Employment, Person
from openprobation.people.selectors import person_editable_by
from openprobation.people.services import person_update
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.models import PartnerOrganisation


def _pk(value: Any, *, field: str, message: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise DomainError(message, field=field) from None
    if number <= 0 or number > 2**63 - 1:
        raise DomainError(message, field=field)
    return number


def _referral(case: Case, pk: Any, *, lock: bool = False) -> EmploymentReferral | None:
    message = _("There is no such referral in this case.")
    number = _pk(pk, field="referral", message=message)
    if number is None:
        return None
    qs = EmploymentReferral.objects.select_related("employer", "vacancy")
    found = (qs.select_for_update(of=("self",)) if lock else qs).filter(case=case, pk=number).first()
    if found is None:
        raise DomainError(message, field="referral")
    return found


def _open_referral(case: Case, pk: Any) -> EmploymentReferral | None:
    referral = _referral(case, pk, lock=True)
    if referral is not None and referral.status != ReferralStatus.ISSUED:
        raise DomainError(
            _("This referral is already %(status)s.") % {"status": referral.get_status_display().lower()},
            field="referral",
            code="referral_closed",
        )
    return referral


def _vacancy(case: Case, pk: Any) -> Vacancy | None:
    message = _("Choose an open vacancy of this district.")
    number = _pk(pk, field="vacancy", message=message)
    if number is None:
        return None
    found = (
        Vacancy.objects.select_related("employer")
        .filter(pk=number, office=case.office, status=VacancyStatus.OPEN)
        .first()
    )
    if found is None:
        raise DomainError(message, field="vacancy")
    return found


def _set_status(
    *,
    actor: User,
    case: Case,
    status: str,
    since: dt.date,
    source: str,
    note: str = "",
    placement: Placement | None = None,
    refusal: JobRefusal | None = None,
) -> EmploymentStatusChange:
    """A row of the person's employment status history; the person's current status follows it
    (through ``people.services.person_update``) when the actor may change the person's record."""
    person: Person = case.person
    row = EmploymentStatusChange.objects.create(
        person=person,
        case=case,
        status=status,
        since=since,
        source=source,
        note=note,
        placement=placement,
        refusal=refusal,
        recorded_by=actor,
    )
    if person.employment_status != status and person_editable_by(actor, person):
        person_update(actor=actor, person=person, data={"employment_status": status})
    return row


# --- Referrals ---------------------------------------------------------------------------------------------


def referral_issue(
    *,
    actor: User,
    case: Case,
    centre_id: Any,
    issued_on: Any,
    employer_id: Any = None,
    vacancy_id: Any = None,
    number: str = "",
    note: str = "",
) -> EmploymentReferral:
    """A referral the employment centre serving the case's district issued to the person: to an open
    vacancy of the district, or to an employer (domain notes §3: the probation service sends people
    to the employment centre, which issues referrals)."""
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        centre = organisation_for(
            office=locked.office,
            pk=centre_id,
            kind=OrganisationKind.EMPLOYMENT_CENTRE,
            field="centre",
            message=_("Choose the employment centre serving this district."),
            serving=True,
        )
        vacancy = _vacancy(locked, vacancy_id)
        if vacancy is not None:
            employer = vacancy.employer
        elif employer_id in (None, ""):
            raise DomainError(_("Choose the vacancy or the employer the person is referred to."), field="employer")
        else:
            employer = employer_for(office=locked.office, pk=employer_id)
        issued = check_date(issued_on, field="issued_on", earliest=locked.received_on)
        referral = EmploymentReferral.objects.create(
            case=locked,
            person=locked.person,
            office=locked.office,
            centre=centre,
            employer=employer,
            vacancy=vacancy,
            number=check_text(number, field="number", required=False, limit=50),
            issued_on=issued,
            status_on=issued,
            note=check_text(note, field="note", required=False, limit=MAX_NOTE),
            issued_by=actor,
        )
        audit_record(
            actor=actor,
            action="employment.referral_issue",
            subject=locked,
            changes={"referral": [None, str(referral)]},
            details={"referral_id": referral.pk, "centre_id": centre.pk, "employer_id": employer.pk},
        )
    return referral


def referral_expire(*, actor: User, case: Case, referral_id: Any, on: Any, reason: str = "") -> EmploymentReferral:
    """The referral lapsed without a placement or a refusal (the person did not go, the place went)."""
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        referral = _referral(locked, referral_id)
        if referral is None:
            raise DomainError(_("There is no such referral in this case."), field="referral")
        when = check_date(on, field="on", earliest=referral.issued_on)
        reason = check_text(reason, field="reason", required=False, limit=MAX_NOTE) or str(ReferralStatus.EXPIRED.label)

        def apply(row: EmploymentReferral, move: Any) -> None:
            row.status_on = when

        return REFERRAL_LIFECYCLE.move(
            actor=actor,
            obj=referral,
            to_state=ReferralStatus.EXPIRED,
            reason=reason,
            effective_on=when,
            apply=apply,
            details={"case_id": locked.pk},
            illegal_message=lambda a, b: _("This referral is already closed."),
        )


def _close_referral(actor: User, referral: EmploymentReferral, to: str, on: dt.date, reason: str) -> None:
    def apply(row: EmploymentReferral, move: Any) -> None:
        row.status_on = on

    REFERRAL_LIFECYCLE.move(actor=actor, obj=referral, to_state=to, reason=reason, effective_on=on, apply=apply)


# --- Placements ------------------------------------------------------------------------------------------------


def _job_source(
    case: Case, referral_id: Any, vacancy_id: Any, employer_id: Any, *, missing: str
) -> tuple[EmploymentReferral | None, Vacancy | None, PartnerOrganisation]:
    """What a placement or a refusal is about: the open referral if one is named (its vacancy and
    employer), else the vacancy (its employer), else the employer of the district; ``missing`` is
    the message when none is named."""
    referral = _open_referral(case, referral_id)
    vacancy = referral.vacancy if referral is not None else _vacancy(case, vacancy_id)
    if referral is not None:
        return referral, vacancy, referral.employer
    if vacancy is not None:
        return None, vacancy, vacancy.employer
    if employer_id in (None, ""):
        raise DomainError(missing, field="employer")
    return None, None, employer_for(office=case.office, pk=employer_id)


def placement_start(
    *,
    actor: User,
    case: Case,
    position: str,
    started_on: Any,
    employer_id: Any = None,
    referral_id: Any = None,
    vacancy_id: Any = None,
    outside_quota: bool = False,
) -> Placement:
    """The person took up work. The place counts toward the employer's quota for the district and
    the year it started in, unless recorded outside it; a place beyond the quota is refused
    (``domain.quota_usage``) unless recorded outside the quota on purpose."""
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        referral, vacancy, employer = _job_source(
            locked, referral_id, vacancy_id, employer_id, missing=_("Choose the employer.")
        )
        position = check_text(
            position or (vacancy.title if vacancy else ""),
            field="position",
            required=True,
            message=_("Enter the position."),
        )
        started = check_date(
            started_on, field="started_on", earliest=referral.issued_on if referral else locked.received_on
        )
        counts = not outside_quota and (vacancy is None or vacancy.counts_toward_quota)
        quota = None
        if counts:
            quota = (
                JobQuota.objects.select_for_update()
                .filter(employer=employer, office=locked.office, year=started.year)
                .first()
            )
        if quota is not None:
            facts = [
                PlacementFact(started_on=s, ended_on=e)
                for s, e in Placement.objects.filter(quota=quota).values_list("started_on", "ended_on")
            ]
            usage = quota_usage(places=quota.places, year=quota.year, placements=facts)
            if usage.free == 0:
                raise DomainError(
                    _(
                        "The quota of %(employer)s in this district for %(year)s is used up (%(used)s of %(places)s "
                        "places). If the employer takes the person anyway, record the placement outside the quota."
                    )
                    % {"employer": employer, "year": quota.year, "used": usage.used, "places": usage.places},
                    field="outside_quota",
                    code="quota_full",
                )
        placement = Placement.objects.create(
            case=locked,
            person=locked.person,
            office=locked.office,
            employer=employer,
            vacancy=vacancy,
            quota=quota,
            referral=referral,
            position=position,
            started_on=started,
            outside_quota=bool(outside_quota),
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="employment.placement_start",
            subject=locked,
            changes={"placement": [None, str(placement)]},
            details={
                "placement_id": placement.pk,
                "employer_id": employer.pk,
                "quota_id": quota.pk if quota else None,
                "outside_quota": bool(outside_quota),
            },
        )
        if referral is not None:
            _close_referral(actor, referral, ReferralStatus.PLACED, started, _("Placed: %(p)s") % {"p": placement})
        _set_status(
            actor=actor,
            case=locked,
            status=Employment.EMPLOYED,
            since=started,
            source=StatusSource.PLACEMENT,
            note=str(placement),
            placement=placement,
        )
    return placement


def placement_end(
    *, actor: User, case: Case, placement_id: Any, ended_on: Any, end_reason: str, end_note: str = ""
) -> Placement:
    """The placement ended (its place stays used in the quota of its year). The person is recorded
    as unemployed again unless another placement is still running."""
    if end_reason not in EndReason.values:
        raise DomainError(_("Choose why the work ended."), field="end_reason")
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        number = _pk(placement_id, field="placement", message=_("There is no such placement in this case."))
        placement = Placement.objects.select_for_update().filter(case=locked, pk=number).first() if number else None
        if placement is None:
            raise DomainError(_("There is no such placement in this case."), field="placement")
        if placement.ended_on is not None:
            raise DomainError(_("This placement has already ended."), field="ended_on", code="ended")
        ended = check_date(ended_on, field="ended_on", earliest=placement.started_on)
        note = check_text(
            end_note,
            field="end_note",
            required=end_reason == EndReason.OTHER,
            message=_("Say why the work ended."),
            limit=MAX_NOTE,
        )
        placement.ended_on, placement.end_reason, placement.end_note = ended, end_reason, note
        placement.save()
        audit_record(
            actor=actor,
            action="employment.placement_end",
            subject=locked,
            changes={"ended_on": [None, ended.isoformat()], "end_reason": ["", end_reason]},
            details={"placement_id": placement.pk},
        )
        still_working = Placement.objects.filter(person=locked.person, ended_on__isnull=True).exists()
        if not still_working:
            _set_status(
                actor=actor,
                case=locked,
                status=Employment.UNEMPLOYED,
                since=ended,
                source=StatusSource.ENDED,
                note=f"{placement} — {placement.get_end_reason_display()}",
                placement=placement,
            )
    return placement


# --- Refusals ------------------------------------------------------------------------------------------------------


def refusal_record(
    *,
    actor: User,
    case: Case,
    refused_on: Any,
    reason: str,
    good_reason: bool,
    referral_id: Any = None,
    employer_id: Any = None,
    vacancy_id: Any = None,
) -> JobRefusal:
    """The person refused a referral or a job. A refusal without a good reason, when the court's
    employment duty is tracked for the case (labour), is recorded there as an offer refused without
    a good reason: labour makes its violation candidate (refusal of work) once per refusal."""
    if not isinstance(good_reason, bool):
        raise DomainError(_("Say whether the reason is a good one."), field="good_reason")
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        referral, vacancy, employer = _job_source(
            locked,
            referral_id,
            vacancy_id,
            employer_id,
            missing=_("Choose the referral, vacancy or employer the person refused."),
        )
        refused = check_date(
            refused_on, field="refused_on", earliest=referral.issued_on if referral else locked.received_on
        )
        reason = check_text(
            reason, field="reason", required=True, message=_("Give the reason the person gave."), limit=MAX_NOTE
        )
        refusal = JobRefusal.objects.create(
            case=locked,
            person=locked.person,
            office=locked.office,
            referral=referral,
            vacancy=vacancy,
            employer=employer,
            refused_on=refused,
            reason=reason,
            good_reason=good_reason,
            judged_by=actor,
        )
        audit_record(
            actor=actor,
            action="employment.refusal",
            subject=locked,
            changes={"refusal": [None, str(refusal)]},
            details={"refusal_id": refusal.pk, "good_reason": good_reason, "referral_id": referral and referral.pk},
        )
        if referral is not None:
            _close_referral(actor, referral, ReferralStatus.REFUSED, refused, reason)
        _set_status(
            actor=actor,
            case=locked,
            status=locked.person.employment_status or Employment.UNKNOWN,
            since=refused,
            source=StatusSource.REFUSAL,
            note=str(refusal),
            refusal=refusal,
        )
        if not good_reason and EmploymentDuty.objects.filter(case=locked).exists():
            _feed_labour(actor, locked, refusal, referral)
    return refusal


def _feed_labour(actor: User, case: Case, refusal: JobRefusal, referral: EmploymentReferral | None) -> None:
    """Record the refusal against the employment duty: the job offer (once: the refusal keeps its
    id) answered as refused without a good reason, which makes labour's violation candidate."""
    if refusal.labour_offer_id is not None:
        return
    position = refusal.vacancy.title if refusal.vacancy else _("Work through the employment centre")
    offer = labour_services.job_offer_record(
        actor=actor,
        case=case,
        employer=str(refusal.employer)[:300],
        position=str(position)[:300],
        offered_on=referral.issued_on if referral is not None else refusal.refused_on,
    )
    labour_services.job_offer_answer(
        actor=actor,
        case=case,
        offer_id=offer.pk,
        answer=OfferAnswer.REFUSED_NO_REASON,
        answered_on=refusal.refused_on,
        reason=refusal.reason,
    )
    refusal.labour_offer_id = offer.pk
    refusal.save(update_fields=["labour_offer_id", "updated_at"])


# --- Status recorded by staff ------------------------------------------------------------------------------------


def status_record(*, actor: User, case: Case, status: str, since: Any, note: str = "") -> EmploymentStatusChange:
    """The person's employment status as staff learned it (a job found on their own, studies,
    retirement...), into the history and onto the person's record."""
    if status not in Employment.values:
        raise DomainError(_("Choose the employment status."), field="status")
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        when = check_date(since, field="since")
        note = check_text(note, field="note", required=False, limit=MAX_NOTE)
        last = EmploymentStatusChange.objects.filter(person=locked.person).first()
        if last is not None and last.status == status and last.since == when:
            raise DomainError(_("Nothing changes: this status is already recorded."), field="status")
        row = _set_status(actor=actor, case=locked, status=status, since=when, source=StatusSource.MANUAL, note=note)
        audit_record(
            actor=actor,
            action="employment.status",
            subject=locked,
            changes={"employment_status": [last.status if last else None, status]},
            details={"status_change_id": row.pk, "since": when.isoformat()},
        )
    return row

"""Writes of the volunteers app: each service is atomic, checks permission and its invariants, and
records exactly one audit event of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, User
from openprobation.accounts.scoping import offices_for_user
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.people.iin import parse_iin
from openprobation.people.models import Language
from openprobation.programmes.models import PartnerOrganisation
from openprobation.volunteers import selectors
from openprobation.volunteers.domain import check_rule, check_valid_until, eligibility
from openprobation.volunteers.lifecycle import VOLUNTEER_LIFECYCLE
from openprobation.volunteers.models import (
    CheckKind,
    SessionKind,
    SupportSession,
    Volunteer,
    VolunteerAssignment,
    VolunteerCheck,
    VolunteerKind,
    VolunteerStatus,
)

# Far enough back for any record of the service; earlier dates are typing errors.
EARLIEST = dt.date(2000, 1, 1)
MAX_MINUTES = 720


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _date(value: Any, *, field: str, today: dt.date, earliest: dt.date | None = None) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise DomainError(_("Enter a valid date."), field=field)
    if value > today:
        raise DomainError(_("The date cannot be in the future."), field=field)
    floor = max(earliest or EARLIEST, EARLIEST)
    if value < floor:
        raise DomainError(_("The date cannot be before %(date)s.") % {"date": _d(floor)}, field=field)
    return value


def _text(value: Any, *, field: str, required: bool, limit: int, message: str = "") -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(message or _("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    return value


def _choice(value: Any, choices: Iterable[str], *, field: str, message: str) -> str:
    if not isinstance(value, str) or value not in set(choices):
        raise DomainError(message, field=field)
    return value


# --- The registry ----------------------------------------------------------------------------------------


@dataclass
class VolunteerInput:
    full_name: str
    offices: list[Office]
    kind: str = VolunteerKind.VOLUNTEER
    iin: str = ""
    phone: str = ""
    email: str = ""
    languages: list[str] = field(default_factory=list)
    organisation: PartnerOrganisation | None = None
    note: str = ""


def _clean(data: VolunteerInput) -> dict[str, Any]:
    iin = _text(data.iin, field="iin", required=False, limit=12)
    if iin:
        parse_iin(iin)  # an IinError names the field "iin" and the part that is wrong
    email = _text(data.email, field="email", required=False, limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="email") from None
    languages = list(dict.fromkeys(data.languages or []))
    if any(lang not in Language.values for lang in languages):
        raise DomainError(_("Choose the languages from the list."), field="languages")
    return {
        "full_name": _text(data.full_name, field="full_name", required=True, limit=200, message=_("Enter the name.")),
        "iin": iin,
        "phone": _text(data.phone, field="phone", required=False, limit=40),
        "email": email,
        "languages": languages,
        "kind": _choice(data.kind, VolunteerKind.values, field="kind", message=_("Choose volunteer or mentor.")),
        "organisation": data.organisation,
        "note": _text(data.note, field="note", required=False, limit=2000),
    }


def _region_offices(actor: User, offices: list[Office], *, region_id: int | None, keep: Iterable[Office] = ()) -> None:
    """The districts a volunteer serves: at least one, all of one region; the actor may add or
    remove only districts of their own jurisdiction (others stay as they are, in ``keep``)."""
    if not offices:
        raise DomainError(_("Choose at least one district the volunteer serves."), field="offices")
    if len({o.region_id for o in offices}) > 1 or (region_id is not None and offices[0].region_id != region_id):
        raise DomainError(_("The districts must all be in the volunteer's region."), field="offices")
    mine = set(offices_for_user(actor).values_list("pk", flat=True))
    changed = {o.pk for o in offices} ^ {o.pk for o in keep}
    if not changed <= mine:
        raise DomainError(_("You may add or remove only the districts of your own jurisdiction."), field="offices")


def _check_organisation(organisation: PartnerOrganisation | None, region_id: int) -> None:
    if organisation is not None and organisation.region_id != region_id:
        raise DomainError(_("Choose an organisation of the volunteer's region."), field="organisation")


def volunteer_register(*, actor: User, data: VolunteerInput) -> Volunteer:
    """Register a volunteer or mentor for the districts they serve (the actor's jurisdiction)."""
    if not selectors.may_manage_registry(actor):
        raise PermissionDeniedError(_("You may not manage the volunteer registry."))
    values = _clean(data)
    offices = list(dict.fromkeys(data.offices))
    _region_offices(actor, offices, region_id=None)
    region_id = offices[0].region_id
    _check_organisation(values["organisation"], region_id)
    with transaction.atomic():
        volunteer = Volunteer.objects.create(region_id=region_id, registered_by=actor, **values)
        volunteer.offices.set(offices)
        audit_record(
            actor=actor,
            action="volunteers.register",
            subject=volunteer,
            changes={"full_name": [None, volunteer.full_name], "offices": [None, sorted(o.code for o in offices)]},
            details={"kind": volunteer.kind, "region": region_id},
        )
    return volunteer


def volunteer_update(*, actor: User, volunteer: Volunteer, data: VolunteerInput) -> Volunteer:
    """Edit a volunteer's details and the districts they serve."""
    values = _clean(data)
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if not selectors.may_manage(actor, locked):
            raise PermissionDeniedError(_("You may not manage this volunteer."))
        before_offices = list(locked.offices.all())
        offices = list(dict.fromkeys(data.offices))
        _region_offices(actor, offices, region_id=locked.region_id, keep=before_offices)
        _check_organisation(values["organisation"], locked.region_id)
        changes: dict[str, Any] = {}
        for name, value in values.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = [
                    str(old) if name == "organisation" else old,
                    str(value) if name == "organisation" else value,
                ]
                setattr(locked, name, value)
        old_codes = sorted(o.code for o in before_offices)
        new_codes = sorted(o.code for o in offices)
        if old_codes != new_codes:
            changes["offices"] = [old_codes, new_codes]
        if not changes:
            raise DomainError(_("Nothing changes."), code="no_change")
        locked.save()
        locked.offices.set(offices)
        audit_record(actor=actor, action="volunteers.update", subject=locked, changes=changes)
    return locked


def volunteer_set_status(*, actor: User, volunteer: Volunteer, to_status: str, reason: str) -> Volunteer:
    """Suspend, reactivate or record that a volunteer left (final). One who leaves has no active
    assignment: those are ended first, on their cases."""
    if to_status not in VolunteerStatus.values:
        raise DomainError(_("Choose the status."), field="to_status")
    reason = _text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for the change."))

    def authorize(locked: Volunteer) -> None:
        if not selectors.may_manage(actor, locked):
            raise PermissionDeniedError(_("You may not manage this volunteer."))
        if to_status == VolunteerStatus.LEFT and locked.assignments.filter(ended_on__isnull=True).exists():
            raise DomainError(
                _("The volunteer still has active assignments: end them on their cases first."), field="to_status"
            )

    return VOLUNTEER_LIFECYCLE.move(
        actor=actor,
        obj=volunteer,
        to_state=to_status,
        reason=reason,
        effective_on=local_today(),
        authorize=authorize,
    )


def volunteer_check_record(
    *, actor: User, volunteer: Volunteer, kind: str, passed: bool, on: dt.date, reference: str = ""
) -> VolunteerCheck:
    """A check or training of the volunteer; valid for the months the rule in force on its day says."""
    kind = _choice(kind, CheckKind.values, field="kind", message=_("Choose the check."))
    if not isinstance(passed, bool):
        raise DomainError(_("Say whether the check was passed."), field="passed")
    on = _date(on, field="on", today=local_today())
    reference = _text(reference, field="reference", required=False, limit=100)
    current = check_rule(on)
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if not selectors.may_manage(actor, locked):
            raise PermissionDeniedError(_("You may not manage this volunteer."))
        check = VolunteerCheck.objects.create(
            volunteer=locked,
            kind=kind,
            passed=passed,
            on=on,
            valid_until=check_valid_until(on, valid_months=current.valid_months),
            reference=reference,
            rule_key=current.key,
            rule_version=current.version,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="volunteers.check",
            subject=locked,
            changes={"check": [None, f"{kind}: {'passed' if passed else 'failed'}"]},
            details={
                "check_id": check.pk,
                "on": on.isoformat(),
                "valid_until": check.valid_until.isoformat(),
                "rule": f"{current.key} v{current.version}",
            },
        )
    return check


# --- Assignments and sessions (on a case) ------------------------------------------------------------------


@dataclass
class AssignInput:
    volunteer_id: int
    consent_on: dt.date
    consent_note: str
    started_on: dt.date


def volunteer_assign(*, actor: User, case: Case, data: AssignInput) -> VolunteerAssignment:
    """Assign a volunteer to the person of the case, with the person's consent: staff who may change
    the case; the volunteer serves the case's district and is eligible on the start day and today
    (``domain.eligibility``); one active assignment per volunteer and case."""
    today = local_today()
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        volunteer = (
            Volunteer.objects.select_for_update().filter(pk=data.volunteer_id, offices=locked.office_id).first()
            if isinstance(data.volunteer_id, int)
            else None
        )
        if volunteer is None:
            raise DomainError(_("Choose a volunteer who serves this case's district."), field="volunteer")
        started_on = _date(data.started_on, field="started_on", today=today, earliest=locked.received_on)
        consent_on = _date(data.consent_on, field="consent_on", today=today)
        if consent_on > started_on:
            raise DomainError(_("The person's consent must be given before the assignment starts."), field="consent_on")
        consent_note = _text(
            data.consent_note,
            field="consent_note",
            required=True,
            limit=500,
            message=_("Record how the person gave consent (for example, a signed statement)."),
        )
        if VolunteerAssignment.objects.filter(volunteer=volunteer, case=locked, ended_on__isnull=True).exists():
            raise DomainError(_("This volunteer is already assigned to this case."), field="volunteer", code="exists")
        checks = list(volunteer.checks.all())
        for day in sorted({started_on, today}, reverse=True):
            judged = eligibility(status=volunteer.status, checks=checks, on=day)
            if not judged.eligible:
                raise DomainError(
                    _("The volunteer may not be assigned on %(date)s: %(why)s")
                    % {"date": _d(day), "why": judged.message},
                    field="volunteer",
                    code="not_eligible",
                )
        assignment = VolunteerAssignment.objects.create(
            volunteer=volunteer,
            case=locked,
            consent_on=consent_on,
            consent_note=consent_note,
            started_on=started_on,
            assigned_by=actor,
            rule_key=judged.rule_key,
            rule_version=judged.rule_version,
        )
        audit_record(
            actor=actor,
            action="volunteers.assign",
            subject=locked,
            changes={"volunteer": [None, volunteer.full_name]},
            details={
                "assignment_id": assignment.pk,
                "volunteer_id": volunteer.pk,
                "started_on": started_on.isoformat(),
                "consent_on": consent_on.isoformat(),
                "rule": f"{judged.rule_key} v{judged.rule_version}",
            },
        )
    return assignment


def _locked_assignment(locked_case: Case, assignment_id: Any) -> VolunteerAssignment:
    found = (
        VolunteerAssignment.objects.select_for_update().filter(case=locked_case, pk=assignment_id).first()
        if isinstance(assignment_id, int)
        else None
    )
    if found is None:
        raise DomainError(_("There is no such assignment in this case."), field="assignment", code="does_not_exist")
    return found


def assignment_end(
    *, actor: User, case: Case, assignment_id: int, ended_on: dt.date, reason: str
) -> VolunteerAssignment:
    """End a volunteer's assignment, with the reason."""
    today = local_today()
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        assignment = _locked_assignment(locked, assignment_id)
        if assignment.ended_on is not None:
            raise DomainError(_("This assignment has already ended."), code="ended")
        ended_on = _date(ended_on, field="ended_on", today=today, earliest=assignment.started_on)
        last = assignment.sessions.order_by("-held_on").values_list("held_on", flat=True).first()
        if last is not None and ended_on < last:
            raise DomainError(
                _("A session is logged on %(date)s, after this day.") % {"date": _d(last)}, field="ended_on"
            )
        reason = _text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for ending."))
        assignment.ended_on, assignment.end_reason, assignment.ended_by = ended_on, reason, actor
        assignment.save()
        audit_record(
            actor=actor,
            action="volunteers.assignment_end",
            subject=locked,
            changes={"ended_on": [None, ended_on.isoformat()]},
            details={"assignment_id": assignment.pk, "volunteer_id": assignment.volunteer_id, "reason": reason},
        )
    return assignment


@dataclass
class SessionInput:
    held_on: dt.date
    minutes: int
    kind: str
    summary: str
    place: str = ""


def session_log(*, actor: User, case: Case, assignment_id: int, data: SessionInput) -> SupportSession:
    """A support session the volunteer reported: not in the future, not before the assignment
    started (nor after it ended), 1 to 720 minutes."""
    today = local_today()
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        assignment = _locked_assignment(locked, assignment_id)
        held_on = _date(data.held_on, field="held_on", today=today, earliest=assignment.started_on)
        if assignment.ended_on is not None and held_on > assignment.ended_on:
            raise DomainError(
                _("The assignment ended on %(date)s.") % {"date": _d(assignment.ended_on)}, field="held_on"
            )
        minutes = data.minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
            raise DomainError(_("Enter the minutes as a whole number from 1 to 720."), field="minutes")
        session = SupportSession.objects.create(
            assignment=assignment,
            held_on=held_on,
            minutes=minutes,
            kind=_choice(data.kind, SessionKind.values, field="kind", message=_("Choose the kind of session.")),
            place=_text(data.place, field="place", required=False, limit=200),
            summary=_text(
                data.summary, field="summary", required=True, limit=4000, message=_("Summarise the session.")
            ),
            logged_by=actor,
        )
        audit_record(
            actor=actor,
            action="volunteers.session",
            subject=locked,
            changes={"session": [None, str(session)]},
            details={"session_id": session.pk, "assignment_id": assignment.pk, "held_on": held_on.isoformat()},
        )
    return session


# --- The daily job --------------------------------------------------------------------------------------------


def volunteer_check_scan(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: how many active volunteers have a required check lapsing within the warning
    period, and how many with active assignments have one that lapsed. The offices see the
    assignments concerned in their work queue (``casepage.volunteer_checks``), computed on read."""
    return selectors.check_counts(today or local_today())

"""Writes on individual programmes: each service is atomic, checks permission on the case it runs
under (``cases.services.case_locked_for_change``: refused outside the user's current jurisdiction,
to read-only roles and on a finished case) and its own invariants, and records one audit event of
its own. Status moves go through ``PROGRAMME_LIFECYCLE``.

A change to the content (goals, measures) of an agreed or refused programme starts a new version,
a draft again; the person's agreement or refusal freezes the version with what changed since the
previous one. Minors' participants and copies of notices are in ``participants``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError
from openprobation.core.timeutil import local_today
from openprobation.programmes import selectors
from openprobation.programmes.catalogue import MEASURES, NeedDomain
from openprobation.programmes.common import _locked, _text
from openprobation.programmes.content import diff, freeze
from openprobation.programmes.lifecycle import PROGRAMME_LIFECYCLE
from openprobation.programmes.models import (
    Goal,
    MeasureStatus,
    Programme,
    ProgrammeBasis,
    ProgrammeMeasure,
    ProgrammeStatus,
    ProgrammeVersion,
)
from openprobation.programmes.participants import queue_copies

# A due date further back than this is a typing error, not a late entry; further ahead, absurd.
MAX_PAST_DAYS = 31
MAX_AHEAD_YEARS = 5


@dataclass
class GoalInput:
    domain: str
    text: str = ""
    assessed_points: int | None = None


@dataclass
class MeasureInput:
    measure: str
    due_on: dt.date
    description: str = ""
    organisation_id: int | None = None
    goal_id: int | None = None


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _check_due(value: dt.date, *, today: dt.date) -> None:
    if value < today - dt.timedelta(days=MAX_PAST_DAYS):
        raise DomainError(_("The due date cannot be more than a month in the past."), field="due_on")
    if value > today + relativedelta(years=MAX_AHEAD_YEARS):
        raise DomainError(
            _("The due date cannot be more than %(n)s years ahead.") % {"n": MAX_AHEAD_YEARS}, field="due_on"
        )


def _check_domain(domain: str) -> None:
    if domain not in NeedDomain.values:
        raise DomainError(_("Choose the need."), field="domain")


def _check_measure(programme: Programme, data: MeasureInput, *, today: dt.date) -> None:
    if data.measure not in MEASURES:
        raise DomainError(_("Choose a measure from the catalogue."), field="measure")
    _check_due(data.due_on, today=today)
    if data.organisation_id is not None:
        allowed = selectors.organisations_for(programme.office, data.measure).filter(pk=data.organisation_id)
        if not allowed.exists():
            raise DomainError(
                _(
                    "This organisation cannot be responsible: it must be active, serve this district "
                    "and offer this measure."
                ),
                field="organisation",
            )
    if data.goal_id is not None and not programme.goals.filter(pk=data.goal_id, removed=False).exists():
        raise DomainError(_("There is no such goal in this programme."), field="goal")


def _new_version_if_settled(actor: User, programme: Programme, *, because: str) -> Programme:
    """Before a change to an agreed or refused programme: a new version, a draft again."""
    if programme.status == ProgrammeStatus.DRAFT:
        return programme

    def apply(locked: Programme, _move: Any) -> None:
        locked.version += 1
        locked.agreement_on = None
        locked.agreement_note = ""

    return PROGRAMME_LIFECYCLE.move(
        actor=actor,
        obj=programme,
        to_state=ProgrammeStatus.DRAFT,
        reason=_("Changed after the person's answer: a new version."),
        effective_on=local_today(),
        apply=apply,
        details={"because": because},
    )


# --- Opening ----------------------------------------------------------------------------------------


def programme_open(
    *,
    actor: User,
    case: Case,
    study: str = "",
    goals: list[GoalInput] | None = None,
    measures: list[MeasureInput] | None = None,
    measure_due_on: dt.date | None = None,
) -> Programme:
    """Open the person's programme as a draft under ``case``. With a needs assessment the goals
    default to one per need it rated above zero (with their points); ``measures`` name the goal by
    domain through ``goal_id`` = the index of the goal in ``goals`` (None: the first goal the
    measure answers). Without an assessment the study of the person's situation is required."""
    today = local_today()
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        proposal = selectors.needs_proposal(locked)
        study = _text(study, field="study", limit=10_000)
        if proposal.assessment_id is None and not study:
            raise DomainError(
                _("Without a needs assessment, describe the person's situation (the study) first."), field="study"
            )
        if Programme.objects.filter(person=locked.person).exclude(status=ProgrammeStatus.CLOSED).exists():
            raise DomainError(_("The person already has a programme in work; close it first."), code="programme_exists")
        points = {g.domain: g.points for g in proposal.goals}
        if goals is None:
            goals = [GoalInput(domain=g.domain, assessed_points=g.points) for g in proposal.goals]
        if len({g.domain for g in goals}) != len(goals):
            raise DomainError(_("Give each need one goal."), field="goals")
        programme = Programme.objects.create(
            person=locked.person,
            case=locked,
            office=locked.office,
            basis=ProgrammeBasis.NEEDS_ASSESSMENT if proposal.assessment_id else ProgrammeBasis.OFFICER_STUDY,
            needs_assessment_id=proposal.assessment_id,
            study=study,
            opened_on=today,
            created_by=actor,
        )
        made: list[Goal] = []
        for g in goals:
            _check_domain(g.domain)
            text = _text(g.text, field="goals") or _("Address the need: %(need)s") % {
                "need": NeedDomain(g.domain).label
            }
            made.append(
                Goal.objects.create(
                    programme=programme,
                    domain=g.domain,
                    text=text,
                    assessed_points=g.assessed_points if g.assessed_points is not None else points.get(g.domain),
                )
            )
        due = measure_due_on or selectors.next_review(locked.person, start=today)[0]
        for m in measures or []:
            goal = made[m.goal_id] if m.goal_id is not None and 0 <= m.goal_id < len(made) else None
            if goal is None:
                goal = (
                    next((g for g in made if g.domain in MEASURES[m.measure].domains), None)
                    if m.measure in MEASURES
                    else None
                )
            data = MeasureInput(
                measure=m.measure,
                due_on=m.due_on or due,
                description=m.description,
                organisation_id=m.organisation_id,
                goal_id=goal.pk if goal else None,
            )
            _check_measure(programme, data, today=today)
            _create_measure(programme, data)
        _first_history(actor, programme, today)
        audit_record(
            actor=actor,
            action="programme.open",
            subject=locked,
            changes={"status": [None, ProgrammeStatus.DRAFT]},
            details={
                "programme_id": programme.pk,
                "basis": programme.basis,
                "needs_assessment_id": proposal.assessment_id,
                "goals": [g.domain for g in made],
                "measures": [m.measure for m in measures or []],
            },
        )
    return programme


def _first_history(actor: User, programme: Programme, today: dt.date) -> None:
    """The first row of the programme's history: opened as a draft."""
    programme.status_changes.create(
        from_status="", to_status=ProgrammeStatus.DRAFT, reason="", effective_on=today, changed_by=actor
    )


def _create_measure(programme: Programme, data: MeasureInput) -> ProgrammeMeasure:
    return ProgrammeMeasure.objects.create(
        programme=programme,
        goal_id=data.goal_id,
        measure=data.measure,
        description=_text(data.description, field="description"),
        organisation_id=data.organisation_id,
        due_on=data.due_on,
    )


# --- Goals ---------------------------------------------------------------------------------------------


def goal_add(*, actor: User, programme: Programme, data: GoalInput) -> Goal:
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        _check_domain(data.domain)
        text = _text(data.text, field="text", required=True, message=_("Describe the goal."))
        if locked.goals.filter(domain=data.domain, removed=False).exists():
            raise DomainError(_("The programme already has a goal for this need."), field="domain")
        locked = _new_version_if_settled(actor, locked, because="goal_add")
        points = {g.domain: g.points for g in selectors.needs_proposal(case).goals}
        goal = Goal.objects.create(
            programme=locked, domain=data.domain, text=text, assessed_points=points.get(data.domain)
        )
        audit_record(
            actor=actor,
            action="programme.goal_add",
            subject=case,
            changes={"goal": [None, f"{data.domain}: {text[:80]}"]},
            details={"programme_id": locked.pk, "goal_id": goal.pk, "version": locked.version},
        )
    return goal


def goal_change(
    *,
    actor: User,
    programme: Programme,
    goal_id: int,
    text: str | None = None,
    achieved: bool | None = None,
    remove: bool = False,
) -> Goal:
    """Change a goal's wording, mark it achieved, or remove it (kept in the history, out of the
    programme). Wording and removal change the programme (a new version once answered)."""
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        goal = Goal.objects.select_for_update().filter(programme=locked, pk=goal_id, removed=False).first()
        if goal is None:
            raise DomainError(_("There is no such goal in this programme."), field="goal")
        before = {"text": goal.text, "achieved": goal.achieved, "removed": goal.removed}
        if text is not None:
            goal.text = _text(text, field="text", required=True, message=_("Describe the goal."))
        if achieved is not None:
            goal.achieved = achieved
        goal.removed = remove
        after = {"text": goal.text, "achieved": goal.achieved, "removed": goal.removed}
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if not changes:
            raise DomainError(_("Nothing changes."), field="text")
        if "text" in changes or "removed" in changes:
            locked = _new_version_if_settled(actor, locked, because="goal_change")
        goal.save()
        audit_record(
            actor=actor,
            action="programme.goal_change",
            subject=case,
            changes=changes,
            details={"programme_id": locked.pk, "goal_id": goal.pk, "version": locked.version},
        )
    return goal


# --- Measures ------------------------------------------------------------------------------------------


def measure_add(*, actor: User, programme: Programme, data: MeasureInput) -> ProgrammeMeasure:
    today = local_today()
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        _check_measure(locked, data, today=today)
        locked = _new_version_if_settled(actor, locked, because="measure_add")
        measure = _create_measure(locked, data)
        audit_record(
            actor=actor,
            action="programme.measure_add",
            subject=case,
            changes={"measure": [None, data.measure], "due_on": [None, data.due_on.isoformat()]},
            details={"programme_id": locked.pk, "measure_id": measure.pk, "organisation_id": data.organisation_id},
        )
    return measure


def _measure(locked: Programme, measure_id: int) -> ProgrammeMeasure:
    found = ProgrammeMeasure.objects.select_for_update().filter(programme=locked, pk=measure_id).first()
    if found is None:
        raise DomainError(_("There is no such measure in this programme."), field="measure")
    return found


def measure_change(*, actor: User, programme: Programme, measure_id: int, data: MeasureInput) -> ProgrammeMeasure:
    """Change what a measure is, by whom or by when (a change of the programme)."""
    today = local_today()
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        measure = _measure(locked, measure_id)
        _check_measure(locked, data, today=today)
        before = {k: getattr(measure, k) for k in ("measure", "description", "organisation_id", "due_on", "goal_id")}
        measure.measure, measure.due_on = data.measure, data.due_on
        measure.description = _text(data.description, field="description")
        measure.organisation_id, measure.goal_id = data.organisation_id, data.goal_id
        after = {k: getattr(measure, k) for k in before}
        changes = {
            k: [str(before[k]) if before[k] is not None else None, str(v) if v is not None else None]
            for k, v in after.items()
            if before[k] != v
        }
        if not changes:
            raise DomainError(_("Nothing changes."), field="measure")
        locked = _new_version_if_settled(actor, locked, because="measure_change")
        measure.save()
        audit_record(
            actor=actor,
            action="programme.measure_change",
            subject=case,
            changes=changes,
            details={"programme_id": locked.pk, "measure_id": measure.pk, "version": locked.version},
        )
    return measure


def measure_remove(*, actor: User, programme: Programme, measure_id: int) -> None:
    """Take a measure out of the programme; one already referred to a partner stays (cancel it)."""
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        measure = _measure(locked, measure_id)
        if measure.referrals.exists():
            raise DomainError(
                _("This measure was referred to a partner: record it as cancelled instead."), field="measure"
            )
        locked = _new_version_if_settled(actor, locked, because="measure_remove")
        code = measure.measure
        measure.delete()
        audit_record(
            actor=actor,
            action="programme.measure_remove",
            subject=case,
            changes={"measure": [code, None]},
            details={"programme_id": locked.pk, "measure_id": measure_id, "version": locked.version},
        )


def measure_progress(
    *,
    actor: User,
    programme: Programme,
    measure_id: int,
    status: str,
    outcome: str = "",
    outcome_on: dt.date | None = None,
) -> ProgrammeMeasure:
    """Record how a measure is going or how it ended (not a change of the programme's content)."""
    today = local_today()
    if status not in MeasureStatus.values:
        raise DomainError(_("Choose the status."), field="status")
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        measure = _measure(locked, measure_id)
        outcome = _text(outcome, field="outcome")
        finished = status in (MeasureStatus.DONE, MeasureStatus.NOT_DONE, MeasureStatus.CANCELLED)
        if finished and not outcome:
            raise DomainError(_("Describe the outcome."), field="outcome")
        if finished:
            outcome_on = outcome_on or today
            if outcome_on > today:
                raise DomainError(_("The date cannot be in the future."), field="outcome_on")
            if outcome_on < locked.opened_on:
                raise DomainError(
                    _("The date cannot be before %(date)s.") % {"date": _d(locked.opened_on)}, field="outcome_on"
                )
        else:
            outcome_on = None
        before = {"status": measure.status, "outcome": measure.outcome}
        if before == {"status": status, "outcome": outcome}:
            raise DomainError(_("Nothing changes."), field="status")
        measure.status, measure.outcome, measure.outcome_on = status, outcome, outcome_on
        measure.save()
        audit_record(
            actor=actor,
            action="programme.measure_progress",
            subject=case,
            changes={k: [before[k], v] for k, v in {"status": status, "outcome": outcome}.items() if before[k] != v},
            details={"programme_id": locked.pk, "measure_id": measure.pk},
        )
    return measure


# --- Agreement, review, closing ------------------------------------------------------------------------


def programme_record_agreement(
    *, actor: User, programme: Programme, agreed: bool, on: dt.date, note: str = "", representative: str = ""
) -> Programme:
    """The person's agreement or refusal of the current version, with the date and their words.
    For a minor (``programmes.minors.agreement_by_representative``) the parent or guardian who
    answered with them is named. Agreement sets the next review (``programmes.review_interval``);
    the version is frozen with what changed since the previous one, and the participants who are
    copied on notices get a copy."""

    today = local_today()
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        note = _text(note, field="note")
        representative = _text(representative, field="representative", limit=300)
        if on > today:
            raise DomainError(_("The date cannot be in the future."), field="on")
        if on < locked.opened_on:
            raise DomainError(_("The date cannot be before %(date)s.") % {"date": _d(locked.opened_on)}, field="on")
        minors = selectors.minors_rule(on=today)
        if selectors.is_minor(locked.person, on=today) and minors["agreement_by_representative"] and not representative:
            raise DomainError(
                _("The person is a minor: name the parent or guardian who answered with them."), field="representative"
            )
        if not locked.measures.exists() and agreed:
            raise DomainError(_("Add at least one measure before the person agrees."), field="agreed")
        target = ProgrammeStatus.AGREED if agreed else ProgrammeStatus.REFUSED
        review, interval = selectors.next_review(locked.person, start=on)

        def apply(row: Programme, _move: Any) -> None:
            row.agreement_on, row.agreement_note = on, note
            if agreed:
                row.next_review_on = review
                row.review_rule_key, row.review_rule_version = interval.rule_key, interval.rule_version

        moved = PROGRAMME_LIFECYCLE.move(
            actor=actor,
            obj=locked,
            to_state=target,
            reason=note,
            effective_on=on,
            apply=apply,
            details={
                "version": locked.version,
                "representative": representative,
                "review_rule": f"{interval.rule_key} v{interval.rule_version}" if agreed else "",
            },
        )
        content = freeze(moved)
        content["representative"] = representative
        previous = moved.versions.filter(number__lt=moved.version).order_by("-number").first()
        ProgrammeVersion.objects.update_or_create(
            programme=moved,
            number=moved.version,
            defaults={
                "content": content,
                "changes": diff(previous.content if previous else None, content),
                "agreement": target,
                "agreement_on": on,
                "agreement_note": note,
                "created_by": actor,
            },
        )
        if agreed:
            queue_copies(programme=moved, case=case, occasion="agreed")
    return moved


def programme_review_record(*, actor: User, programme: Programme, on: dt.date, note: str = "") -> Programme:
    """The officer reviewed the agreed programme with the person: the next review is set again."""
    today = local_today()
    with transaction.atomic():
        case, locked = _locked(actor, programme)
        if locked.status != ProgrammeStatus.AGREED:
            raise DomainError(
                _("Only an agreed programme is reviewed; a draft awaits the person's answer."), code="not_agreed"
            )
        if on > today or on < locked.opened_on:
            raise DomainError(_("The date cannot be in the future or before the programme opened."), field="on")
        review, interval = selectors.next_review(locked.person, start=on)
        before = locked.next_review_on
        locked.next_review_on = review
        locked.review_rule_key, locked.review_rule_version = interval.rule_key, interval.rule_version
        locked.save()
        audit_record(
            actor=actor,
            action="programme.review",
            subject=case,
            changes={"next_review_on": [before.isoformat() if before else None, review.isoformat()]},
            details={
                "programme_id": locked.pk,
                "reviewed_on": on.isoformat(),
                "note": _text(note, field="note"),
                "rule": f"{interval.rule_key} v{interval.rule_version}",
            },
        )
    return locked


def programme_close(*, actor: User, programme: Programme, on: dt.date, reason: str) -> Programme:
    today = local_today()
    reason = _text(reason, field="reason", required=True, message=_("Give the reason for closing."))
    with transaction.atomic():
        _case, locked = _locked(actor, programme)
        if on > today or on < locked.opened_on:
            raise DomainError(_("The date cannot be in the future or before the programme opened."), field="on")

        def apply(row: Programme, _move: Any) -> None:
            row.closed_on = on

        return PROGRAMME_LIFECYCLE.move(
            actor=actor, obj=locked, to_state=ProgrammeStatus.CLOSED, reason=reason, effective_on=on, apply=apply
        )


# --- The daily job ---------------------------------------------------------------------------------------


def programme_review_scan(*, today: dt.date | None = None) -> dict[str, int]:
    """Counts of what the work queue shows today (its sources read the same conditions): agreed
    programmes whose review is due, and measures past their due date still planned or in progress."""
    on = today or local_today()
    due = Programme.objects.filter(status=ProgrammeStatus.AGREED, next_review_on__lte=on)
    overdue = ProgrammeMeasure.objects.filter(
        programme__status=ProgrammeStatus.AGREED,
        status__in=[MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS],
        due_on__lt=on,
    )
    return {
        "reviews_due": due.count(),
        "reviews_overdue": due.filter(next_review_on__lt=on).count(),
        "measures_overdue": overdue.count(),
        "drafts": Programme.objects.filter(status=ProgrammeStatus.DRAFT).count(),
    }

"""The advance notice to the receiving office, the handover on release, and the scheduled scan that
does both (and opens plans as release approaches), each exactly once per plan.

On release the plan opens the next case in the receiving office through ``cases.services.case_open``:
a post-penitentiary case, or a sentence case (parole, deferral) from the court's decision entered on
the plan. Cases are opened only by staff of the office that holds them, so the new case is opened
in the receiving office's name by its head of office (or a senior officer when it has no head)
unless the person handing over may open cases there; the plan's own audit event names who handed
over (the officer, or nobody for the scan) and in whose name the case was opened. The person's
programme follows (``programmes.handover.programme_carry_forward``), and the penitentiary case is
completed (or closed, from a status in which "completed" is not an allowed move) on the release date.
"""

from __future__ import annotations

import datetime as dt
import logging

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, Role, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.accounts.scoping import CaseAction, may, office_in_jurisdiction
from openprobation.audit.services import audit_record
from openprobation.cases.lifecycle import CASE_LIFECYCLE
from openprobation.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseType, SentenceKind
from openprobation.cases.services import CaseInput, case_open
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Move
from openprobation.core.timeutil import local_today
from openprobation.programmes.handover import programme_carry_forward
from openprobation.releases.lifecycle import PLAN_LIFECYCLE
from openprobation.releases.models import EventKind, HandoverKind, PlanStatus, ReleasePlan
from openprobation.releases.services import (
    NOTICE_RULE,
    PREPARATION_RULE,
    _d,
    _event,
    _locked,
    _sync,
    notice_day,
    preparation_start,
    release_plan_open,
)
from openprobation.rules.rulebook import rule

log = logging.getLogger(__name__)


# --- The notice -------------------------------------------------------------------------------------


def release_plan_notify(*, plan: ReleasePlan, today: dt.date | None = None) -> bool:
    """Tell the receiving office that the person arrives (the scan, once the rulebook's days
    before release begin): the plan then shows in the office's "arriving" list and the work queue
    of its heads and senior officers, and they may read it. False when already told."""
    on = today or local_today()
    with transaction.atomic():
        case = _locked(None, plan.case)
        locked = ReleasePlan.objects.select_for_update().get(pk=plan.pk)
        _sync(locked, case, None)
        if locked.status != PlanStatus.OPEN or locked.notified_at is not None or locked.receiving_office_id is None:
            return False
        due, key, version = notice_day(release_date=locked.release_date, on=on)
        if on < due:
            return False
        locked.notice_due_on, locked.notice_rule_key, locked.notice_rule_version = due, key, version
        locked.notified_at = timezone.now()
        locked.notified_office_id = locked.receiving_office_id
        locked.save()
        _event(locked, EventKind.NOTIFIED, None, changes={"receiving_office": [None, locked.receiving_office_id]})
        audit_record(
            actor=None,
            action="release.notice",
            subject=case,
            changes={"notified_at": [None, locked.notified_at]},
            details={
                "plan_id": locked.pk,
                "receiving_office_id": locked.receiving_office_id,
                "release_date": locked.release_date.isoformat(),
                "rule": f"{key} v{version}",
            },
        )
    return True


# --- The handover -------------------------------------------------------------------------------------


def _opener(actor: User | None, office: Office) -> User:
    """Who the new case is opened by: the person handing over when they may open cases in the
    receiving office, otherwise its head of office (or a senior officer)."""
    if actor is not None and has_cap(actor, Cap.CASE_OPEN) and office_in_jurisdiction(actor, office):
        return actor
    rank = When_(When(role=Role.HEAD_OF_OFFICE, then=Value(0)), default=Value(1), output_field=IntegerField())
    found = (
        User.objects.filter(office=office, is_active=True, role__in=[Role.HEAD_OF_OFFICE, Role.SENIOR_OFFICER])
        .annotate(rank=rank)
        .order_by("rank", "pk")
        .first()
    )
    if found is None:
        raise DomainError(
            _("The receiving office has no head of office or senior officer to open the case."),
            field="receiving_office",
            code="no_receiving_staff",
        )
    return found


def _case_input(plan: ReleasePlan, case: Case, day: dt.date) -> CaseInput:
    if plan.handover_kind == HandoverKind.POST_PENITENTIARY:
        return CaseInput(
            case_type=CaseType.POST_PENITENTIARY,
            received_on=day,
            court=case.court,
            decision_number=case.decision_number,
            decision_date=case.decision_date,
            effective_date=case.effective_date,
            cc_articles=case.cc_articles,
            sentence_kind=SentenceKind.IMPRISONMENT,
            term_months=case.term_months,
            term_days=case.term_days,
            institution=case.institution,
            release_date=day,
        )
    decided = plan.decision_date
    if decided is None or not (plan.decision_court and plan.decision_number and (plan.term_months or plan.term_days)):
        raise DomainError(
            _("Enter the court's decision on the release and the term on the plan first."),
            field="decision_court",
            code="no_decision",
        )
    return CaseInput(
        case_type=CaseType.SENTENCE,
        received_on=max(day, decided),
        court=plan.decision_court,
        decision_number=plan.decision_number,
        decision_date=decided,
        effective_date=plan.decision_effective_date,
        cc_articles=case.cc_articles,
        sentence_kind=SentenceKind.PAROLE if plan.handover_kind == HandoverKind.PAROLE else SentenceKind.DEFERRAL,
        term_months=plan.term_months,
        term_days=plan.term_days,
        institution=case.institution,
        release_date=day,
    )


def _finish_penitentiary(actor: User | None, case: Case, day: dt.date, new_case: Case) -> str:
    """Complete the penitentiary case on the release date (closed where "completed" is not an
    allowed move from its status); its status, or "" when no move is allowed (left as it is)."""
    target = CaseStatus.COMPLETED if CASE_LIFECYCLE.can_move(case.status, CaseStatus.COMPLETED) else CaseStatus.CLOSED
    if not CASE_LIFECYCLE.can_move(case.status, target):
        return ""
    last = case.status_history.order_by("-effective_on").values_list("effective_on", flat=True).first()
    effective = max(d for d in (day, case.received_on, last) if d is not None)

    def apply(locked: Case, move: Move) -> None:
        locked.status_changed_at = timezone.now()
        locked.closed_on = effective

    def authorize(locked: Case) -> None:
        if actor is not None and not may(actor, CaseAction.TRANSITION, locked):
            raise PermissionDeniedError(_("You may not change the status of this case."))

    CASE_LIFECYCLE.move(
        actor=actor,
        obj=case,
        to_state=target,
        reason=_("Released on %(date)s; handed over to case %(number)s (%(office)s).")
        % {"date": _d(day), "number": new_case.number, "office": str(new_case.office)},
        effective_on=effective,
        apply=apply,
        authorize=authorize,
        details={"handed_over_case_id": new_case.pk},
    )
    return str(target)


def release_plan_handover(
    *, actor: User | None, plan: ReleasePlan, released_on: dt.date | None = None, today: dt.date | None = None
) -> Case:
    """Hand the plan over on release: open the next case in the receiving office, link it, carry
    the programme forward, finish the penitentiary case and mark the plan handed over. The scan
    (``actor`` None) does it on the release date; an officer may do it by hand for an early
    release, giving the day of release (today by default, never in the future)."""
    on = today or local_today()
    with transaction.atomic():
        case = _locked(actor, plan.case)
        locked = ReleasePlan.objects.select_for_update(of=("self",)).select_related("receiving_office").get(pk=plan.pk)
        if locked.status != PlanStatus.OPEN:
            raise DomainError(_("This release plan is no longer open."), code="plan_closed")
        if case.status not in OPEN_STATUSES:
            raise DomainError(_("A finished case cannot be changed."), code="case_finished")
        _sync(locked, case, actor)
        if actor is None and on < locked.release_date:
            raise DomainError(_("The release date has not come yet."), code="not_yet")
        day = released_on or (locked.release_date if actor is None else on)
        if day > on:
            raise DomainError(_("The day of release cannot be in the future."), field="released_on")
        if day < case.received_on:
            raise DomainError(
                _("The day of release cannot be before the case was received (%(date)s).")
                % {"date": _d(case.received_on)},
                field="released_on",
            )
        receiving = locked.receiving_office
        if receiving is None:
            raise DomainError(
                _("Choose the receiving office first: the office of the district the person will live in."),
                field="receiving_office",
                code="no_receiving_office",
            )
        opener = _opener(actor, receiving)
        new_case = case_open(actor=opener, person=case.person, office=receiving, data=_case_input(locked, case, day))
        reason = _("Released from %(institution)s on %(date)s (release plan of case %(number)s).") % {
            "institution": case.institution or _("prison"),
            "date": _d(day),
            "number": case.number,
        }
        programme = programme_carry_forward(actor=actor, person_id=case.person_id, to_case=new_case, reason=reason)
        finished = _finish_penitentiary(actor, case, day, new_case)
        now = timezone.now()

        def apply(row: ReleasePlan, move: Move) -> None:
            row.handed_over_case = new_case
            row.handed_over_at = now
            row.released_on = day
            if row.notified_at is None:
                row.notified_at, row.notified_office_id = now, receiving.pk

        PLAN_LIFECYCLE.move(
            actor=actor,
            obj=locked,
            to_state=PlanStatus.HANDED_OVER,
            reason=reason,
            effective_on=day,
            apply=apply,
            details={
                "case_id": case.pk,
                "new_case_id": new_case.pk,
                "new_case_number": new_case.number,
                "receiving_office_id": receiving.pk,
                "opened_in_name_of": opener.pk,
                "programme_id": programme.pk if programme else None,
                "penitentiary_case_status": finished or case.status,
                "by_scan": actor is None,
            },
        )
    return new_case


# --- The scheduled scan ----------------------------------------------------------------------------------


def _due_for_opening(on: dt.date) -> list[Case]:
    months = int(rule(PREPARATION_RULE, on=on)["months_before_release"])
    # A few days' margin over the month arithmetic; the exact start is checked per case.
    until = on + relativedelta(months=months) + dt.timedelta(days=4)
    cases = Case.objects.filter(
        case_type=CaseType.PENITENTIARY,
        status__in=OPEN_STATUSES,
        release_date__gte=on,
        release_date__lte=until,
        release_plan__isnull=True,
    ).order_by("release_date", "pk")
    return [c for c in cases if c.release_date and preparation_start(release_date=c.release_date, on=on)[0] <= on]


def release_planning_scan(*, today: dt.date | None = None) -> dict[str, int]:
    """The hourly job, idempotent: open the plans whose preparation has begun (the rulebook's months
    before release), keep plans in step with their cases' release dates, tell each receiving office
    once (the rulebook's days before release), and hand each plan over once on its release date.
    A plan that cannot be handed over (no receiving office, no decision for parole or deferral, no
    one to open the case) is counted as blocked, left open and tried again on the next run."""
    on = today or local_today()
    counts = {"opened": 0, "dates_changed": 0, "notified": 0, "handed_over": 0, "blocked": 0}
    for case in _due_for_opening(on):
        try:
            release_plan_open(actor=None, case=case, today=on)
        except DomainError as err:
            log.warning("release plan of case %s not opened: %s", case.pk, err.code)
            continue
        counts["opened"] += 1
    open_plans = ReleasePlan.objects.filter(status=PlanStatus.OPEN)
    drifted = open_plans.exclude(release_date=F("case__release_date"), office=F("case__office")).filter(
        case__release_date__isnull=False
    )
    for plan in drifted.order_by("pk"):
        with transaction.atomic():
            case = _locked(None, plan.case)
            if _sync(ReleasePlan.objects.select_for_update().get(pk=plan.pk), case, None):
                counts["dates_changed"] += 1
    days = int(rule(NOTICE_RULE, on=on)["days_before_release"])
    to_tell = open_plans.filter(
        notified_at__isnull=True, receiving_office__isnull=False, release_date__lte=on + dt.timedelta(days=days)
    )
    for plan in to_tell.order_by("release_date", "pk"):
        counts["notified"] += int(release_plan_notify(plan=plan, today=on))
    for plan in open_plans.filter(release_date__lte=on).select_related("case").order_by("release_date", "pk"):
        try:
            release_plan_handover(actor=None, plan=plan, today=on)
        except DomainError as err:
            log.warning("release plan %s not handed over: %s", plan.pk, err.code)
            counts["blocked"] += 1
            continue
        counts["handed_over"] += 1
    return counts

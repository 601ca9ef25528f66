"""Writes on referrals to partner organisations: the lifecycle (draft → sent → accepted / declined →
in progress → completed, or cancelled by the office), partner updates and the hourly deadline scan.

The office drafts, sends and cancels (the case must be one the officer may change); the partner's
staff accept, decline, mark in progress, post updates and complete (the referral must be addressed
to their organisation). Every move goes through ``REFERRAL_LIFECYCLE`` (row lock, legal moves,
history row, one audit event) and the measure follows the referral (``measures``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from openprobation.accounts.models import Office, Role, User
from openprobation.accounts.roles import Cap, has_cap
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.services import case_locked_for_change
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Lifecycle, Move
from openprobation.core.outbox import enqueue_message
from openprobation.core.timeutil import local_today
from openprobation.programmes.catalogue import measure_label
from openprobation.programmes.measures import measure_follow_referral
from openprobation.programmes.models import (
    OPEN_REFERRAL,
    MeasureStatus,
    PartnerOrganisation,
    ProgrammeMeasure,
    ProgrammeStatus,
    Referral,
    ReferralEvent,
    ReferralNumberSequence,
    ReferralStatus,
)
from openprobation.programmes.rules import REFERRAL_DEADLINES
from openprobation.rules.rulebook import add_working_days, rule

MAX_REQUEST = 4000
MAX_NOTE = 2000

S = ReferralStatus


def _history(referral: Referral, step: Move) -> None:
    ReferralEvent.objects.create(
        referral=referral,
        from_status=step.from_state,
        to_status=step.to_state,
        kind="transition",
        note=step.reason,
        actor=step.actor,
    )


REFERRAL_LIFECYCLE: Lifecycle[Referral] = Lifecycle(
    name="referral",
    model=Referral,
    moves={
        S.DRAFT: frozenset({S.SENT, S.CANCELLED}),
        S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.CANCELLED}),
        S.ACCEPTED: frozenset({S.IN_PROGRESS, S.COMPLETED, S.CANCELLED}),
        S.IN_PROGRESS: frozenset({S.COMPLETED, S.CANCELLED}),
        S.DECLINED: frozenset(),
        S.COMPLETED: frozenset(),
        S.CANCELLED: frozenset(),
    },
    labels=dict(S.choices),
    write_history=_history,
    audit=audit_record,
    audited_fields=("answer_due", "complete_due", "decline_reason", "outcome", "outcome_achieved"),
    reason_required=False,
)

# Who makes each move: the office (on a case they may change) or the partner organisation.
OFFICE_MOVES = frozenset({S.SENT, S.CANCELLED})
PARTNER_MOVES = frozenset({S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED})


def _text(value: Any, *, field: str, required: bool, limit: int, message: str = "") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise DomainError(_("Enter text."), field=field)
    if required and not text:
        raise DomainError(message or _("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(_("Enter at most %(n)s characters.") % {"n": limit}, field=field)
    return text


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


# --- Deadlines -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    answer_due: dt.date
    complete_due: dt.date
    given: bool  # the officer gave an earlier completion date
    rule_key: str
    rule_version: int


def referral_deadlines(
    *, sent_on: dt.date, measure_due: dt.date | None = None, complete_due: dt.date | None = None
) -> Deadlines:
    """The answer deadline (working days after sending) and the completion deadline (calendar days
    after sending, or an earlier date the officer gives: not before the day after sending, not later
    than the rule's, nor than a year after the measure's own due date), from the rulebook."""
    version = rule(REFERRAL_DEADLINES, on=sent_on)
    answer_due = add_working_days(sent_on, int(version["answer_working_days"]))
    by_rule = sent_on + dt.timedelta(days=int(version["complete_days"]))
    if complete_due is None:
        return Deadlines(answer_due, by_rule, False, version.key, version.version)
    if not isinstance(complete_due, dt.date) or isinstance(complete_due, dt.datetime):
        raise DomainError(_("Enter a valid date."), field="complete_due")
    earliest = sent_on + dt.timedelta(days=1)
    if complete_due < earliest:
        raise DomainError(
            _("The completion date cannot be before %(date)s.") % {"date": _d(earliest)}, field="complete_due"
        )
    if complete_due > by_rule:
        raise DomainError(
            _("The completion date cannot be after %(date)s (the rule's deadline).") % {"date": _d(by_rule)},
            field="complete_due",
        )
    if measure_due is not None and complete_due > measure_due + dt.timedelta(days=365):
        raise DomainError(
            _("The completion date cannot be more than a year after the measure's due date."), field="complete_due"
        )
    return Deadlines(answer_due, complete_due, True, version.key, version.version)


def overdue_q(today: dt.date) -> Q:
    """Referrals past a deadline: not answered by ``answer_due``, or not completed by ``complete_due``."""
    return Q(status=S.SENT, answer_due__lt=today) | Q(status__in=(S.ACCEPTED, S.IN_PROGRESS), complete_due__lt=today)


def is_overdue(referral: Referral, today: dt.date) -> bool:
    if referral.status == S.SENT and referral.answer_due is not None:
        return referral.answer_due < today
    if referral.status in (S.ACCEPTED, S.IN_PROGRESS) and referral.complete_due is not None:
        return referral.complete_due < today
    return False


# --- The office's side ---------------------------------------------------------------------------------


def _next_number(office: Office, year: int) -> str:
    seq, _created = ReferralNumberSequence.objects.select_for_update().get_or_create(office=office, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"R-{office.code}-{year}-{seq.last:05d}"


def _check_organisation(organisation: PartnerOrganisation, measure: ProgrammeMeasure, office: Office) -> None:
    if not organisation.active:
        raise DomainError(_("This organisation is no longer active."), field="organisation")
    if measure.measure not in (organisation.services or []):
        raise DomainError(
            _("%(org)s does not offer “%(measure)s”.")
            % {"org": organisation.name, "measure": measure_label(measure.measure)},
            field="organisation",
        )
    if not organisation.districts.filter(pk=office.pk).exists():
        raise DomainError(
            _("%(org)s does not serve the district of this case.") % {"org": organisation.name}, field="organisation"
        )


def _check_measure(measure: ProgrammeMeasure, case: Case) -> None:
    if measure.programme.case_id != case.pk:
        raise DomainError(_("This measure is not part of this case's programme."), field="measure")
    if measure.programme.status in (ProgrammeStatus.CLOSED, ProgrammeStatus.REFUSED):
        raise DomainError(_("The programme is closed or refused: nothing can be referred."), field="measure")
    if measure.status not in (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS):
        raise DomainError(_("This measure is finished: it cannot be referred."), field="measure")


@dataclass(frozen=True)
class ReferralInput:
    organisation: PartnerOrganisation
    request: str
    share_phone: bool = False
    complete_due: dt.date | None = None


def referral_create(
    *, actor: User, case: Case, measure: ProgrammeMeasure, data: ReferralInput, send: bool = False
) -> Referral:
    """Draft a referral of a measure of the case's programme to a partner organisation (and send it
    at once with ``send``)."""
    request = _text(
        data.request, field="request", required=True, limit=MAX_REQUEST, message=_("Say what the partner is asked.")
    )
    with transaction.atomic():
        locked = case_locked_for_change(actor, case)
        measure = (
            ProgrammeMeasure.objects.select_for_update(of=("self",)).select_related("programme").get(pk=measure.pk)
        )
        _check_measure(measure, locked)
        _check_organisation(data.organisation, measure, locked.office)
        if Referral.objects.filter(measure=measure, status__in=(S.DRAFT, *OPEN_REFERRAL)).exists():
            raise DomainError(
                _("This measure already has a referral in work: cancel it first."),
                field="measure",
                code="open_referral",
            )
        today = local_today()
        if data.complete_due is not None:  # checked now so the draft does not keep a date sending refuses
            referral_deadlines(sent_on=today, measure_due=measure.due_on, complete_due=data.complete_due)
        referral = Referral.objects.create(
            measure=measure,
            organisation=data.organisation,
            case=locked,
            office=locked.office,
            number=_next_number(locked.office, today.year),
            request=request,
            share_phone=bool(data.share_phone),
            complete_due=data.complete_due,
            complete_due_given=data.complete_due is not None,
            created_by=actor,
        )
        ReferralEvent.objects.create(referral=referral, to_status=S.DRAFT, kind="transition", actor=actor)
        audit_record(
            actor=actor,
            action="referral.create",
            subject=referral,
            changes={"status": [None, S.DRAFT], "organisation": [None, data.organisation.pk]},
            details={"case_id": locked.pk, "measure_id": measure.pk, "number": referral.number},
        )
        if send:
            referral = referral_send(actor=actor, referral=referral, complete_due=data.complete_due)
    return referral


def _office_authorize(actor: User) -> Any:
    def authorize(locked: Referral) -> None:
        case_locked_for_change(actor, locked.case)

    return authorize


def referral_send(*, actor: User, referral: Referral, complete_due: dt.date | None = None) -> Referral:
    """Send a draft: the deadlines are set from the rulebook (the completion date may be earlier),
    and the organisation must still be active, offer the measure and serve the case's district."""

    def apply(locked: Referral, step: Move) -> None:
        measure = ProgrammeMeasure.objects.select_related("programme").get(pk=locked.measure_id)
        _check_measure(measure, locked.case)
        _check_organisation(locked.organisation, measure, locked.case.office)
        given = (
            complete_due if complete_due is not None else (locked.complete_due if locked.complete_due_given else None)
        )
        deadlines = referral_deadlines(sent_on=step.effective_on, measure_due=measure.due_on, complete_due=given)
        locked.sent_at = timezone.now()
        locked.answer_due = deadlines.answer_due
        locked.complete_due = deadlines.complete_due
        locked.complete_due_given = deadlines.given
        locked.rule_key = deadlines.rule_key
        locked.rule_version = deadlines.rule_version
        locked.office = locked.case.office

    return REFERRAL_LIFECYCLE.move(
        actor=actor,
        obj=referral,
        to_state=S.SENT,
        reason="",
        effective_on=local_today(),
        apply=apply,
        authorize=_office_authorize(actor),
        details={"rule": REFERRAL_DEADLINES},
    )


def referral_cancel(*, actor: User, referral: Referral, reason: str) -> Referral:
    """The office withdraws a referral (a draft, or one not finished by the partner)."""
    reason = _text(reason, field="reason", required=True, limit=MAX_NOTE, message=_("Give the reason for cancelling."))

    def apply(locked: Referral, step: Move) -> None:
        if step.from_state != S.DRAFT:
            measure_follow_referral(referral=_as(locked, S.CANCELLED), on=step.effective_on)

    return REFERRAL_LIFECYCLE.move(
        actor=actor,
        obj=referral,
        to_state=S.CANCELLED,
        reason=reason,
        effective_on=local_today(),
        apply=apply,
        authorize=_office_authorize(actor),
    )


def _as(referral: Referral, status: str) -> Referral:
    """The referral as it will be once moved (the measure follows the new state)."""
    referral.status = status
    return referral


# --- The partner's side ---------------------------------------------------------------------------------


def partner_organisation_id(user: Any) -> int | None:
    """The organisation a partner-staff user works for (None for anyone else)."""
    if getattr(user, "role", "") != Role.PARTNER_STAFF or not has_cap(user, Cap.PARTNER_PORTAL):
        return None
    staff = getattr(user, "partner_staff", None) if getattr(user, "pk", None) else None
    return staff.organisation_id if staff is not None else None


def _partner_authorize(actor: User) -> Any:
    def authorize(locked: Referral) -> None:
        org_id = partner_organisation_id(actor)
        if org_id is None or org_id != locked.organisation_id or locked.status == S.DRAFT:
            raise PermissionDeniedError(_("This referral is not addressed to your organisation."))

    return authorize


class PartnerAction:
    ACCEPT = "accept"
    DECLINE = "decline"
    START = "start"
    UPDATE = "update"
    COMPLETE = "complete"


PARTNER_ACTIONS = {
    PartnerAction.ACCEPT: gettext_lazy("Accept"),
    PartnerAction.DECLINE: gettext_lazy("Decline"),
    PartnerAction.START: gettext_lazy("Mark in progress"),
    PartnerAction.UPDATE: gettext_lazy("Post an update"),
    PartnerAction.COMPLETE: gettext_lazy("Complete"),
}


def referral_partner_act(
    *, actor: User, referral: Referral, action: str, note: str = "", achieved: bool | None = None
) -> Referral:
    """One entry for everything the partner does (the portal page and the API call it): accept,
    decline (a reason is required), mark in progress, post an update (a note), complete (the
    outcome and whether the goal was achieved)."""
    if action not in PARTNER_ACTIONS:
        raise DomainError(_("Choose what to do."), field="action")
    text = _text(note, field="note", required=False, limit=MAX_NOTE)
    today = local_today()
    if action == PartnerAction.UPDATE:
        return _partner_update(actor=actor, referral=referral, note=text)
    if action == PartnerAction.DECLINE and not text:
        raise DomainError(_("Give the reason for declining."), field="note")
    if action == PartnerAction.COMPLETE:
        if not text:
            raise DomainError(_("Describe the outcome."), field="note")
        if not isinstance(achieved, bool):
            raise DomainError(_("Say whether the goal was achieved."), field="achieved")
    to_state = {
        PartnerAction.ACCEPT: S.ACCEPTED,
        PartnerAction.DECLINE: S.DECLINED,
        PartnerAction.START: S.IN_PROGRESS,
        PartnerAction.COMPLETE: S.COMPLETED,
    }[action]

    def apply(locked: Referral, step: Move) -> None:
        now = timezone.now()
        if to_state in (S.ACCEPTED, S.DECLINED):
            locked.answered_at = now
        if to_state == S.DECLINED:
            locked.decline_reason = text
        if to_state == S.COMPLETED:
            locked.outcome = text
            locked.outcome_achieved = achieved
            locked.completed_at = now
            if locked.answered_at is None:
                locked.answered_at = now
        measure_follow_referral(referral=_as(locked, to_state), on=step.effective_on)
        locked.status = step.from_state  # the lifecycle sets the new state itself

    return REFERRAL_LIFECYCLE.move(
        actor=actor,
        obj=referral,
        to_state=to_state,
        reason=text,
        effective_on=today,
        apply=apply,
        authorize=_partner_authorize(actor),
        details={"by": "partner", "organisation_id": referral.organisation_id},
    )


def _partner_update(*, actor: User, referral: Referral, note: str) -> Referral:
    if not note:
        raise DomainError(_("Write the update."), field="note")
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        _partner_authorize(actor)(locked)
        if locked.status not in OPEN_REFERRAL:
            raise DomainError(
                _("A referral that is “%(status)s” takes no more updates.") % {"status": locked.get_status_display()},
                code="closed",
            )
        ReferralEvent.objects.create(referral=locked, kind="update", note=note, actor=actor)
        audit_record(actor=actor, action="referral.update", subject=locked, details={"by": "partner"})
    return locked


# --- The hourly scan ----------------------------------------------------------------------------------------


def _message_language(organisation: PartnerOrganisation) -> str:
    languages = [code for code in (organisation.languages or []) if code in ("kk", "ru", "en")]
    return languages[0] if languages else "ru"


def _remind(referral: Referral, *, which: str, due: dt.date, now: dt.datetime) -> bool:
    """Queue the reminder of one deadline to the organisation (once: the dedupe key names the
    referral, the deadline and its date) and write it in the history. True when queued."""
    org = referral.organisation
    language = _message_language(org)
    with override(language):
        what = _("answer") if which == "answer" else _("completion")
        subject = _("Referral %(number)s: %(what)s due %(date)s") % {
            "number": referral.number,
            "what": what,
            "date": _d(due),
        }
        body = _(
            "Referral %(number)s (%(measure)s) from %(office)s is due for %(what)s on %(date)s. "
            "Please answer it in the partner portal."
        ) % {
            "number": referral.number,
            "measure": measure_label(referral.measure.measure),
            "office": referral.office,
            "what": what,
            "date": _d(due),
        }
    message = None
    if org.email.strip():
        message = enqueue_message(
            channel="email",
            to=org.email,
            subject=subject,
            body=str(body),
            language=language,
            dedupe_key=f"referral:{referral.pk}:{which}:{due.isoformat()}",
            case=referral.case,
            purpose="referral_reminder",
        )
    ReferralEvent.objects.create(
        referral=referral, kind="reminder", note=f"{which}_due {due.isoformat()}" + ("" if message else " (no e-mail)")
    )
    return message is not None


def referral_deadline_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Hourly: remind partners of deadlines ``remind_before_days`` ahead (once per deadline),
    escalate overdue referrals to the head of office (once per referral). Returns the counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    version = rule(REFERRAL_DEADLINES, on=today)
    ahead = today + dt.timedelta(days=int(version["remind_before_days"]))
    counts = {"reminded": 0, "escalated": 0}
    related = ("organisation", "office", "case", "measure")
    answer = Referral.objects.filter(
        status=S.SENT, reminded_at__isnull=True, answer_due__gte=today, answer_due__lte=ahead
    ).select_related(*related)
    for referral in answer.iterator(chunk_size=200):
        with transaction.atomic():
            locked = Referral.objects.select_for_update(of=("self",)).select_related(*related).get(pk=referral.pk)
            if locked.reminded_at is not None or locked.status != S.SENT or locked.answer_due is None:
                continue
            _remind(locked, which="answer", due=locked.answer_due, now=now)
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at", "updated_at"])
            counts["reminded"] += 1
    complete = Referral.objects.filter(
        status__in=(S.ACCEPTED, S.IN_PROGRESS),
        complete_reminded_at__isnull=True,
        complete_due__gte=today,
        complete_due__lte=ahead,
    ).select_related(*related)
    for referral in complete.iterator(chunk_size=200):
        with transaction.atomic():
            locked = Referral.objects.select_for_update(of=("self",)).select_related(*related).get(pk=referral.pk)
            if locked.complete_reminded_at is not None or locked.complete_due is None:
                continue
            _remind(locked, which="complete", due=locked.complete_due, now=now)
            locked.complete_reminded_at = now
            locked.save(update_fields=["complete_reminded_at", "updated_at"])
            counts["reminded"] += 1
    overdue = Referral.objects.filter(overdue_q(today), escalated_at__isnull=True).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            locked = Referral.objects.select_for_update(of=("self",)).select_related("organisation", "case").get(pk=pk)
            if locked.escalated_at is not None or not is_overdue(locked, today):
                continue
            locked.escalated_at = now
            locked.save(update_fields=["escalated_at", "updated_at"])
            which = "answer_due" if locked.status == S.SENT else "complete_due"
            due = locked.answer_due if locked.status == S.SENT else locked.complete_due
            ReferralEvent.objects.create(
                referral=locked, kind="escalation", note=f"{which} {due.isoformat() if due else ''}".strip()
            )
            audit_record(
                actor=None,
                action="referral.escalate",
                subject=locked,
                changes={"escalated_at": [None, now.isoformat()]},
                details={"overdue": which, "due": due.isoformat() if due else None, "office_id": locked.office_id},
            )
            _tell_heads(locked, which=which, due=due)
            counts["escalated"] += 1
    return counts


def _tell_heads(referral: Referral, *, which: str, due: dt.date | None) -> int:
    """E-mail the heads of the referral's office (those with an address) about the overdue
    referral, once each (the dedupe key names the referral and the head). Returns the queued count."""
    heads = User.objects.filter(role=Role.HEAD_OF_OFFICE, office_id=referral.office_id, is_active=True).exclude(
        email=""
    )
    queued = 0
    for head in heads:
        language = head.language if head.language in ("kk", "ru", "en") else "ru"
        with override(language):
            what = _("an answer") if which == "answer_due" else _("completion")
            subject = _("Overdue referral %(number)s") % {"number": referral.number}
            body = _(
                "Referral %(number)s to %(org)s is overdue: %(what)s was due on %(date)s. It is in your work queue."
            ) % {
                "number": referral.number,
                "org": referral.organisation.name,
                "what": what,
                "date": _d(due) if due else "—",
            }
        message = enqueue_message(
            channel="email",
            to=head.email,
            subject=subject,
            body=str(body),
            language=language,
            dedupe_key=f"referral:{referral.pk}:escalation:{head.pk}",
            case=referral.case,
            purpose="referral_escalation",
        )
        queued += message is not None
    return queued

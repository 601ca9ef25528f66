"""Reads of referrals. The office's side goes through the scoped case selectors (a case's referrals,
one referral of a case) or the jurisdiction filter (the office's list); the partner portal through
the partner relationship, and hands out only what a referral needs (``PortalReferral``). Every read
of personal data is audited here, so the page and the API count the same things."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from openprobation.accounts.scoping import Scope, office_q, scope_of
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.cases.selectors import case_detail
from openprobation.programmes.catalogue import measure_label
from openprobation.programmes.models import (
    OPEN_REFERRAL,
    PARTNER_VISIBLE,
    PartnerOrganisation,
    ProgrammeMeasure,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from openprobation.programmes.organisations import organisation_qs_for_user
from openprobation.programmes.referral_services import is_overdue, overdue_q, partner_organisation_id
from openprobation.programmes.relationship import PARTNER_RELATIONSHIP

LIST_LIMIT = 200

# --- The office's side ------------------------------------------------------------------------------------


def referral_case(*, user: Any, pk: int, part: str = "referrals") -> Case:
    """The case if the user may see it, recorded as a view of its referrals (404 otherwise)."""
    return case_detail(user=user, pk=pk, part=part)


def case_referrals(*, case: Case) -> QuerySet[Referral]:
    """The referrals of a case found through ``referral_case`` (newest first)."""
    return Referral.objects.filter(case=case).select_related("organisation", "measure").order_by("-created_at", "-id")


def case_referral(*, case: Case, record: int) -> Referral:
    """One referral of the case (Referral.DoesNotExist, a 404, for another case's)."""
    return Referral.objects.select_related("organisation", "measure", "office", "case__person").get(
        pk=record, case=case
    )


def referral_history(referral: Referral) -> list[ReferralEvent]:
    """The referral's events, oldest first, each with its states' labels (``from_label``, ``to_label``)."""
    labels = dict(ReferralStatus.choices)
    events = list(referral.events.select_related("actor").order_by("at", "id"))
    for event in events:
        event.from_label = str(labels.get(event.from_status, event.from_status))  # type: ignore[attr-defined]
        event.to_label = str(labels.get(event.to_status, event.to_status))  # type: ignore[attr-defined]
    return events


def case_measure(*, case: Case, record: int) -> ProgrammeMeasure:
    """A measure of the case's programme (ProgrammeMeasure.DoesNotExist, a 404, otherwise)."""
    return ProgrammeMeasure.objects.select_related("programme").get(pk=record, programme__case=case)


def organisations_for_measure(*, user: Any, case: Case, measure: ProgrammeMeasure) -> list[PartnerOrganisation]:
    """Active organisations of the user's region that offer the measure and serve the case's district."""
    qs = organisation_qs_for_user(user).filter(active=True, districts__pk=case.office_id).distinct()
    return [org for org in qs if measure.measure in (org.services or [])]


VIEWS = ("open", "waiting", "overdue", "all")


def office_referrals(*, user: Any, view: str, today: dt.date, mine: bool = False) -> list[Referral]:
    """The referrals of the cases of the user's jurisdiction: "waiting" for an answer, "overdue",
    "open" (sent, accepted, in progress) or "all"; with ``mine``, only the user's own cases."""
    q = office_q(user, "case__office")
    if q is None:
        return []
    qs = Referral.objects.filter(q).select_related("organisation", "case__person", "case__officer", "measure")
    if view == "waiting":
        qs = qs.filter(status=ReferralStatus.SENT)
    elif view == "overdue":
        qs = qs.filter(overdue_q(today))
    elif view == "open":
        qs = qs.filter(status__in=OPEN_REFERRAL)
    if mine:
        qs = qs.filter(case__officer_id=user.pk)
    rows = list(qs.order_by("answer_due", "complete_due", "id")[:LIST_LIMIT])
    audit_record(
        actor=user,
        action="referral.list",
        details={"view": view, "mine": mine, "shown": [r.pk for r in rows]},
    )
    return rows


# --- The partner portal ---------------------------------------------------------------------------------


def portal_qs(user: Any) -> QuerySet[Referral]:
    """Referrals addressed to the user's organisation that it may see (never drafts), through the
    partner staff's relationship (the one registered with ``accounts.scoping``); none for anyone else."""
    org_id = partner_organisation_id(user)
    if org_id is None or scope_of(user) is not Scope.RELATIONSHIP:
        return Referral.objects.none()
    return Referral.objects.filter(
        organisation_id=org_id, status__in=PARTNER_VISIBLE, case_id__in=PARTNER_RELATIONSHIP.case_ids(user)
    )


@dataclass(frozen=True)
class PortalEvent:
    at: dt.datetime
    kind: str
    from_status: str
    to_status: str
    to_label: str
    note: str
    by_partner: bool


@dataclass(frozen=True)
class PortalReferral:
    """What a partner may read of a referral: the person's name, birth year and language (the
    phone only when shared), the request, the measure, the deadlines and the office's contact;
    never the IIN, the case, its offences, risk or violations."""

    pk: int
    number: str
    status: str
    status_label: str
    measure: str
    measure_label: str
    person_name: str
    birth_year: int
    language: str
    phone: str
    request: str
    sent_on: dt.date | None
    answer_due: dt.date | None
    complete_due: dt.date | None
    overdue: bool
    office_name: str
    office_phone: str
    office_address: str
    officer_name: str
    decline_reason: str
    outcome: str
    outcome_achieved: bool | None
    events: list[PortalEvent] = field(default_factory=list)


def _card(referral: Referral, today: dt.date, *, events: bool) -> PortalReferral:
    person = referral.case.person
    office = referral.office
    officer = referral.case.officer
    history: list[PortalEvent] = []
    if events:
        history = [
            PortalEvent(
                at=e.at,
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                to_label=str(ReferralStatus(e.to_status).label) if e.to_status in ReferralStatus.values else "",
                # The office's reasons (a cancellation) are for the partner too; reminders are not notes.
                note=e.note if e.kind in ("transition", "update") else "",
                by_partner=e.actor is not None and e.actor.role == "partner_staff",
            )
            for e in referral.events.select_related("actor")
            .exclude(to_status=ReferralStatus.DRAFT)
            .order_by("at", "id")
            if e.kind in ("transition", "update")
        ]
    return PortalReferral(
        pk=referral.pk,
        number=referral.number,
        status=referral.status,
        status_label=str(referral.get_status_display()),
        measure=referral.measure.measure,
        measure_label=str(measure_label(referral.measure.measure)),
        person_name=person.full_name,
        birth_year=person.birth_date.year,
        language=str(person.get_native_language_display()) if person.native_language else "",
        phone=person.phone if referral.share_phone else "",
        request=referral.request,
        sent_on=referral.sent_at.date() if referral.sent_at else None,
        answer_due=referral.answer_due,
        complete_due=referral.complete_due,
        overdue=is_overdue(referral, today),
        office_name=str(office),
        office_phone=office.phone,
        office_address=office.address,
        officer_name=officer.display_name if officer else "",
        decline_reason=referral.decline_reason,
        outcome=referral.outcome,
        outcome_achieved=referral.outcome_achieved,
        events=history,
    )


PORTAL_VIEWS = ("open", "waiting", "overdue", "all")


def portal_referrals(*, user: Any, view: str, today: dt.date) -> list[PortalReferral]:
    """The partner's list, recorded (which referrals were shown)."""
    qs = portal_qs(user).select_related("case__person", "case__officer", "office", "measure")
    if view == "waiting":
        qs = qs.filter(status=ReferralStatus.SENT)
    elif view == "overdue":
        qs = qs.filter(overdue_q(today))
    elif view == "open":
        qs = qs.filter(status__in=OPEN_REFERRAL)
    rows = list(qs.order_by("answer_due", "complete_due", "id")[:LIST_LIMIT])
    audit_record(
        actor=user,
        action="referral.portal_list",
        details={"view": view, "organisation_id": partner_organisation_id(user), "shown": [r.pk for r in rows]},
    )
    return [_card(r, today, events=False) for r in rows]


def portal_referral(*, user: Any, pk: int, today: dt.date) -> PortalReferral:
    """One referral for the partner, recorded as a view (Referral.DoesNotExist, a 404, for one not
    addressed to their organisation or still a draft)."""
    referral = portal_qs(user).select_related("case__person", "case__officer", "office", "measure").get(pk=pk)
    audit_record(actor=user, action="referral.portal_view", subject=referral, details={"part": "portal"})
    return _card(referral, today, events=True)


def portal_referral_for_change(*, user: Any, pk: int) -> Referral:
    """The referral a partner acts on (the service records the change)."""
    return portal_qs(user).get(pk=pk)


def overdue_count(*, user: Any, today: dt.date) -> int:
    q = office_q(user, "case__office")
    if q is None:
        return 0
    return Referral.objects.filter(q).filter(overdue_q(today)).count()


def waiting_q() -> Q:
    return Q(status=ReferralStatus.SENT)

"""The case page's overview and its actions, computed once for the page and the API (a test
compares them): the status, the days of control left, the facts every app registers
(``core.casepage``) and the actions this user may take, each opening its own form.

The case's own actions are decided here, from ``accounts.scoping.may`` and the case's state; the
form pages refuse (403) an action this list does not offer, so the page never shows a button that
leads to a refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL, allowed_moves
from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.terms import (
    CaseTerms,
    ControlClock,
    control_days_left,
    current_terms,
    registration_state,
    status_family,
)
from openprobation.core.casepage import CaseActionLink, CaseFact, case_actions, case_facts


def _d(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def control_fact(clock: ControlClock) -> CaseFact:
    """The days of control left as an overview line ("ends 12.03.2027 — 101 days left")."""
    if clock.state == "running" and clock.days_left is not None:
        left = ngettext("%(days)d day left", "%(days)d days left", clock.days_left) % {"days": clock.days_left}
        value = _("ends %(date)s — %(left)s") % {"date": _d(clock.end), "left": left}
    elif clock.state == "ended":
        value = _("ended on %(date)s") % {"date": _d(clock.end)}
    elif clock.state == "not_started" and clock.start:
        value = _("control not started; starts %(date)s") % {"date": _d(clock.start)}
    else:
        value = _("control not started")
    return CaseFact(
        key="control",
        order=0,
        label=_("Probation control"),
        value=value,
        tone=clock.tone,
        url="#case-control" if clock.start else "",
        data={
            "state": clock.state,
            "start": clock.start.isoformat() if clock.start else None,
            "end": clock.end.isoformat() if clock.end else None,
            "days_left": clock.days_left,
        },
    )


def case_own_actions(*, user: Any, case: Case, today: dt.date) -> list[CaseActionLink]:
    """The case's own actions this user may take now (status, registration, allocation, transfer,
    appearance, a later court decision). Those that need doing first are ``primary``."""
    finished = case.status in TERMINAL
    moves = allowed_moves(case.status)
    can_transition = may(user, CaseAction.TRANSITION, case) and bool(moves)
    can_edit = may(user, CaseAction.EDIT, case) and not finished
    awaiting = case.status == CaseStatus.AWAITING_REGISTRATION
    found: list[CaseActionLink] = []

    def add(key: str, order: int, label: str, url_name: str, *, primary: bool = False) -> None:
        found.append(CaseActionLink(key, order, label, reverse(url_name, args=[case.pk]), primary))

    if can_edit and awaiting and case.appeared_on is None and registration_state(case, today=today).appear_by:
        add("appearance", 10, _("Record the person's appearance"), "cases:appearance", primary=True)
    if can_transition and CaseStatus.REGISTERED in moves:
        add("register", 20, _("Register the case"), "cases:register", primary=True)
    if may(user, CaseAction.ALLOCATE, case) and not finished:
        if case.officer_id is None:
            add("allocate", 30, _("Allocate to an officer"), "cases:allocate", primary=True)
        else:
            add("allocate", 30, _("Re-allocate"), "cases:allocate")
    if can_transition and [m for m in moves if m != CaseStatus.REGISTERED]:
        add("transition", 40, _("Change the status"), "cases:transition")
    if can_edit:
        add("decision", 50, _("Record a later court decision"), "cases:decision")
    if may(user, CaseAction.TRANSFER, case) and not finished:
        add("transfer", 60, _("Transfer to another office"), "cases:transfer")
    return found


def may_take(*, user: Any, case: Case, key: str, today: dt.date) -> bool:
    return any(a.key == key for a in case_own_actions(user=user, case=case, today=today))


def all_case_actions(*, user: Any, case: Case, today: dt.date) -> list[CaseActionLink]:
    """The case's own actions and those the apps above register, primary ones first."""
    found = [*case_own_actions(user=user, case=case, today=today), *case_actions(user=user, case=case)]
    return sorted(found, key=lambda a: (not a.primary, a.order, a.key))


@dataclass(frozen=True)
class CaseOverview:
    status: str
    status_label: str
    status_family: str
    clock: ControlClock
    facts: list[CaseFact]  # the control period first, then every registered fact in order
    actions: list[CaseActionLink]

    @property
    def primary_actions(self) -> list[CaseActionLink]:
        return [a for a in self.actions if a.primary]

    @property
    def other_actions(self) -> list[CaseActionLink]:
        return [a for a in self.actions if not a.primary]


def case_overview(*, user: Any, case: Case, today: dt.date, terms: CaseTerms | None = None) -> CaseOverview:
    """What the top of the case page shows (and the API's ``overview`` and ``actions``)."""
    clock = control_days_left(case, today=today, terms=terms or current_terms(case))
    return CaseOverview(
        status=case.status,
        status_label=str(case.get_status_display()),
        status_family=status_family(case.status),
        clock=clock,
        facts=[control_fact(clock), *case_facts(user=user, case=case, today=today)],
        actions=all_case_actions(user=user, case=case, today=today),
    )

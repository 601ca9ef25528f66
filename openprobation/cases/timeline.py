"""What ``cases`` adds to the case and person timelines (``core.timeline``), and the person page's
list of cases (``core.sections``). Registered in ``CasesConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from openprobation.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseAllocation,
    CaseStatus,
    CaseStatusChange,
    CaseTransfer,
    CourtDecision,
    DecisionKind,
    SentenceKind,
)
from openprobation.cases.selectors import case_qs_for_user, person_cases
from openprobation.cases.terms import registration_overdue
from openprobation.core.sections import PersonSection
from openprobation.core.timeline import TimelineEntry

CaseRef = tuple[int, str, str]  # id, number, page address


def _cases_of(user: Any, case: Any | None, person: Any | None) -> dict[int, CaseRef]:
    """The cases whose entries to read: one case, or the person's cases the user may see (read
    once, so the entries need not join the case row)."""
    if case is not None:
        pairs = [(case.pk, case.number)]
    else:
        pairs = list(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    return {pk: (pk, number, reverse("cases:detail", args=[pk])) for pk, number in pairs}


def _decision_detail(d: CourtDecision) -> str:
    parts = [
        _("%(court)s, № %(number)s of %(date)s") % {"court": d.court, "number": d.number, "date": _d(d.decision_date)}
    ]
    if d.kind == DecisionKind.EXTENSION and d.extension_months:
        parts.append(_("extended by %(months)s months") % {"months": d.extension_months})
    if d.kind == DecisionKind.SHORTENED and d.new_control_end:
        parts.append(_("control now ends on %(date)s") % {"date": _d(d.new_control_end)})
    if d.kind == DecisionKind.SENTENCE_REPLACED and d.new_sentence_kind:
        parts.append(str(SentenceKind(d.new_sentence_kind).label))
    if d.duties_added:
        parts.append(_("duties added: %(list)s") % {"list": "; ".join(d.duties_added)})
    if d.duties_removed:
        parts.append(_("duties removed: %(list)s") % {"list": "; ".join(d.duties_removed)})
    if d.note:
        parts.append(d.note)
    return " · ".join(parts)


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def case_timeline_entries(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    """Status changes, allocations, transfers and later court decisions, newest first."""
    cases = _cases_of(user, case, person)
    if not cases:
        return []
    where = {"case_id__in": list(cases)}
    labels = dict(CaseStatus.choices)
    entries: list[TimelineEntry] = []
    changes = CaseStatusChange.objects.filter(**where).select_related("by").order_by("-at", "-id")[:limit]
    for ch in changes:
        title = (
            _("Status: %(from)s → %(to)s") % {"from": labels.get(ch.from_status, ""), "to": labels[ch.to_status]}
            if ch.from_status
            else _("Opened as “%(to)s”") % {"to": labels[ch.to_status]}
        )
        entries.append(
            _entry(
                cases[ch.case_id],
                at=ch.at,
                kind="status",
                title=str(title),
                detail=ch.reason,
                by=ch.by,
                ref=f"status:{ch.pk}",
                effective_on=ch.effective_on,
            )
        )
    allocations = CaseAllocation.objects.filter(**where).select_related("by", "officer", "previous_officer")
    for al in allocations.order_by("-at", "-id")[:limit]:
        if al.officer is None:
            title = _("Allocation removed (was %(prev)s)") % {"prev": al.previous_officer}
        elif al.previous_officer is None:
            title = _("Allocated to %(officer)s") % {"officer": al.officer}
        else:
            title = _("Re-allocated from %(prev)s to %(officer)s") % {
                "prev": al.previous_officer,
                "officer": al.officer,
            }
        entries.append(
            _entry(
                cases[al.case_id],
                at=al.at,
                kind="allocation",
                title=str(title),
                detail=al.reason,
                by=al.by,
                ref=f"allocation:{al.pk}",
            )
        )
    transfers = CaseTransfer.objects.filter(**where).select_related("by", "from_office", "to_office")
    for tr in transfers.order_by("-at", "-id")[:limit]:
        title = _("Transferred from %(from)s to %(to)s") % {"from": tr.from_office, "to": tr.to_office}
        entries.append(
            _entry(
                cases[tr.case_id],
                at=tr.at,
                kind="transfer",
                title=str(title),
                detail=tr.reason,
                by=tr.by,
                ref=f"transfer:{tr.pk}",
            )
        )
    decisions = CourtDecision.objects.filter(**where).select_related("recorded_by")
    for d in decisions.order_by("-recorded_at", "-id")[:limit]:
        title = _("Court decision: %(kind)s") % {"kind": DecisionKind(d.kind).label}
        entries.append(
            _entry(
                cases[d.case_id],
                at=d.recorded_at,
                kind="decision",
                title=str(title),
                detail=_decision_detail(d),
                by=d.recorded_by,
                ref=f"decision:{d.pk}",
                effective_on=d.effective_date,
            )
        )
    return entries


def _entry(
    case: CaseRef,
    *,
    at: dt.datetime,
    kind: str,
    title: str,
    detail: str,
    by: Any,
    ref: str,
    effective_on: dt.date | None = None,
) -> TimelineEntry:
    return TimelineEntry(
        at=at,
        kind=kind,
        title=title,
        detail=detail,
        by=str(by or ""),
        ref=f"cases:{ref}",
        case_id=case[0],
        case_number=case[1],
        effective_on=effective_on,
        url=case[2],
    )


def current_office_ids(person: Any) -> list[int] | None:
    """The offices holding a person now: those of their open cases; with none open, the office of
    their latest case; with no case at all, None (the registering office then)."""
    open_offices = list(
        Case.objects.filter(person=person, status__in=OPEN_STATUSES).values_list("office_id", flat=True).distinct()
    )
    if open_offices:
        return open_offices
    latest = Case.objects.filter(person=person).order_by("-received_on", "-id").values_list("office_id", flat=True)
    first = latest.first()
    return [first] if first is not None else None


def person_cases_section(*, user: Any, person: Any, today: dt.date) -> PersonSection | None:
    """The person's cases of every type that the user may see, as one story (oldest first)."""
    cases = person_cases(user=user, person=person)
    rows = [{"case": c, "overdue": registration_overdue(c, today=today)} for c in cases]
    return PersonSection(key="cases", order=10, template="cases/_person_cases.html", context={"rows": rows})

"""What supervision adds to the case page, the caseload and the work queue (registered from
``SupervisionConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.accounts.scoping import CaseAction, may
from openprobation.cases.lifecycle import TERMINAL
from openprobation.cases.selectors import case_qs_for_user
from openprobation.core.caseload import CaseloadColumn, register_caseload_column
from openprobation.core.casepage import (
    CaseActionLink,
    CaseFact,
    CaseSection,
    register_case_actions,
    register_case_facts,
    register_case_section,
)
from openprobation.core.timeline import TimelineEntry, register_timeline_provider
from openprobation.core.timeutil import KZ_TZ, local_today
from openprobation.core.workqueue import WorkBatch, WorkItem, WorkScope, register_work_source
from openprobation.supervision.models import Appointment, Outcome
from openprobation.supervision.selectors import appointments_overview, next_appointment_subquery


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local (Asia/Almaty) day."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=KZ_TZ)


def local_text(when: dt.datetime) -> str:
    return when.astimezone(KZ_TZ).strftime("%d.%m.%Y %H:%M")


def outcome_url(appointment: Appointment) -> str:
    return reverse("supervision:outcome", args=[appointment.case_id, appointment.pk])


def next_appointment_facts(*, user: Any, case: Any, today: dt.date) -> list[CaseFact]:
    open_rows = Appointment.objects.filter(case=case, outcome="")
    overdue = open_rows.filter(starts_at__lt=day_start(today)).order_by("starts_at", "id").first()
    upcoming = open_rows.filter(starts_at__gte=day_start(today)).order_by("starts_at", "id").first()
    facts: list[CaseFact] = []
    if upcoming is not None:
        facts.append(
            CaseFact(
                key="next_appointment",
                order=20,
                label=_("Next appointment"),
                value=f"{local_text(upcoming.starts_at)}, {upcoming.get_kind_display()}",
                tone="danger" if overdue is not None else "",
                url="#appointments",
                data=upcoming.starts_at.isoformat(),
            )
        )
    if overdue is not None:
        facts.append(
            CaseFact(
                key="appointment_overdue",
                order=21,
                label=_("Outcome not recorded"),
                value=f"{local_text(overdue.starts_at)}, {overdue.get_kind_display()}",
                tone="danger",
                url=outcome_url(overdue),
                data=overdue.starts_at.isoformat(),
            )
        )
    if not facts:
        facts.append(CaseFact(key="next_appointment", order=20, label=_("Next appointment"), value=_("None scheduled")))
    return facts


def appointments_section(*, user: Any, case: Any, today: dt.date, page: Any = 1) -> CaseSection:
    overview = appointments_overview(case=case, today=today, page=page)
    can_change = may(user, CaseAction.EDIT, case)
    return CaseSection(
        key="appointments",
        order=30,
        template="supervision/_section.html",
        context={"overview": overview, "can_change": can_change, "case": case, "today": today},
    )


def appointment_actions(*, user: Any, case: Any) -> list[CaseActionLink]:
    if case.status in TERMINAL or not may(user, CaseAction.EDIT, case):
        return []
    due = (
        Appointment.objects.filter(case=case, outcome="", starts_at__lt=day_start(local_today() + dt.timedelta(days=1)))
        .order_by("starts_at", "id")
        .first()
    )
    actions = [
        CaseActionLink(
            key="set_schedule",
            order=41,
            label=_("Set reporting schedule"),
            url=reverse("supervision:schedule", args=[case.pk]),
        ),
        CaseActionLink(
            key="add_appointment",
            order=42,
            label=_("Add appointment"),
            url=reverse("supervision:appointment_new", args=[case.pk]),
        ),
    ]
    if due is not None:
        actions.insert(
            0,
            CaseActionLink(
                key="record_outcome", order=40, label=_("Record outcome"), url=outcome_url(due), primary=True
            ),
        )
    return actions


def _annotate_next(qs: Any, today: dt.date) -> Any:
    return qs.annotate(next_appointment=TruncDate(next_appointment_subquery(), tzinfo=KZ_TZ))


def appointments_work(scope: WorkScope) -> WorkBatch:
    """Appointments in scope without an outcome that have started by the end of ``scope.until``:
    a count and one limited, ordered select, whatever the caseload."""
    end = day_start(scope.until + dt.timedelta(days=1))
    start_today = day_start(scope.today)
    rows = Appointment.objects.filter(case__in=scope.cases.values("pk"), outcome="", starts_at__lt=end)
    counts = rows.aggregate(count=Count("id"), overdue=Count("id", filter=Q(starts_at__lt=start_today)))
    # Only what an item shows: a case and a person row are wide, and the queue builds up to
    # ``scope.limit`` of them on every view.
    found = (
        rows.select_related("case", "case__person", "case__officer")
        .only(
            "id",
            "kind",
            "starts_at",
            "case__id",
            "case__number",
            "case__person__surname",
            "case__person__first_name",
            "case__person__patronymic",
            "case__officer__username",
            "case__officer__first_name",
            "case__officer__last_name",
        )
        .order_by("starts_at", "id")[: scope.limit]
    )
    items = []
    for appointment in found:
        local = appointment.starts_at.astimezone(KZ_TZ)
        case = appointment.case
        items.append(
            WorkItem(
                kind="appointment",
                key=f"appointment:{appointment.pk}",
                due=local.date(),
                overdue=local.date() < scope.today,
                case_id=case.pk,
                case_number=case.number,
                person_name=case.person.full_name,
                title=appointment.get_kind_display(),
                url=outcome_url(appointment),
                action_label=_("Record outcome"),
                officer_name=case.officer.display_name if case.officer else "",
                detail=date_format(local, "d.m.Y H:i"),
            )
        )
    return WorkBatch(kind="appointment", count=counts["count"] or 0, overdue=counts["overdue"] or 0, items=items)


def appointment_timeline_entries(*, user: Any, case: Any | None, person: Any | None, limit: int) -> list[TimelineEntry]:
    """Outcomes worth a line in the story (absences, rescheduling, failures), newest first; routine
    attendance stays in the appointments section."""
    if case is not None:
        cases = {case.pk: case.number}
    else:
        cases = dict(case_qs_for_user(user).filter(person=person).values_list("pk", "number"))
    if not cases:
        return []
    rows = (
        Appointment.objects.filter(case_id__in=list(cases), recorded_at__isnull=False)
        .exclude(outcome__in=[Outcome.ATTENDED_COMPLIED, Outcome.CANCELLED, ""])
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")[:limit]
    )
    entries = []
    for a in rows:
        recorded_at = a.recorded_at
        if recorded_at is None:  # filtered above; for the type checker
            continue
        detail = " · ".join(p for p in [a.get_reason_code_display() if a.reason_code else "", a.outcome_note] if p)
        entries.append(
            TimelineEntry(
                at=recorded_at,
                kind="appointment",
                title=f"{a.get_kind_display()} {local_text(a.starts_at)}: {a.get_outcome_display()}",
                detail=detail,
                by=a.recorded_by.get_full_name() if a.recorded_by else "",
                ref=f"appointment:{a.pk}",
                case_id=a.case_id,
                case_number=cases[a.case_id],
                effective_on=a.starts_at.astimezone(KZ_TZ).date(),
                url=reverse("cases:detail", args=[a.case_id]) + "#appointments",
            )
        )
    return entries


def register() -> None:
    register_case_facts("supervision", next_appointment_facts)
    register_case_section("supervision", appointments_section)
    register_case_actions("supervision", appointment_actions)
    register_caseload_column(
        CaseloadColumn(
            name="next_appointment",
            order=20,
            label=gettext_lazy("Next appointment"),
            annotate=_annotate_next,
            kind="date",
        )
    )
    register_work_source("appointments", appointments_work)
    register_timeline_provider("supervision", appointment_timeline_entries)

"""Demo reporting schedules and a year of appointments with believable outcomes.

Fast by construction (the benchmark seeds 30,000 active cases, about 1.5 million appointments):
the reporting days of each pattern are worked out once on the working-day calendar and shared by
every case with that pattern, rows are plain ``bulk_create`` batches, and nothing goes through the
services (the one ``demo.seed`` event summarises the run, as for the rest of the demo data).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from typing import Any

from django.db import connection
from django.utils import timezone

from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import KZ_TZ
from openprobation.demo.people import stream
from openprobation.rules.rulebook import rule, working_calendar
from openprobation.supervision.models import (
    AbsenceReason,
    Appointment,
    AppointmentKind,
    Outcome,
    ReportingSchedule,
    ScheduleOrigin,
)
from openprobation.supervision.rules import RULE_KEY, Frequency, schedule_days

BATCH = 5000
HISTORY_DAYS = 365
# (share, frequency, origin, reason): most people report weekly, some twice a month, a few three
# times a week (the rulebook's default).
PATTERNS: list[tuple[float, Frequency, str, str]] = [
    (0.80, Frequency("weekly", (0,)), ScheduleOrigin.OVERRIDE, "Стабильное поведение, работает"),
    (0.15, Frequency("monthly", (), (1, 15)), ScheduleOrigin.OVERRIDE, "Низкий риск, работает вахтовым методом"),
    (0.05, Frequency("weekly", (0, 2, 4)), ScheduleOrigin.DEFAULT, ""),
]
# Past outcomes and their weights (the rest attended and complied).
OUTCOMES = [
    (Outcome.ATTENDED_COMPLIED, 0.89),
    (Outcome.ACCEPTABLE_ABSENCE, 0.05),
    (Outcome.ATTENDED_NOT_COMPLIED, 0.02),
    (Outcome.UNACCEPTABLE_ABSENCE, 0.02),
    (Outcome.FAILED_TO_ATTEND, 0.02),
]
REASONS = [
    (AbsenceReason.ILLNESS, "Справка ЛПУ № 41-7"),
    (AbsenceReason.COURT, ""),
    (AbsenceReason.WORK, ""),
    (AbsenceReason.FAMILY_EMERGENCY, ""),
]
PLACES = ["Кабинет 12", "Кабинет 5", "Кабинет 3"]
# Appointments of the last few days left without an outcome, so today's work queue has work.
OPEN_RECENT_DAYS = 3
OPEN_RECENT_SHARE = 0.25


def _working_days(start: dt.date, end: dt.date) -> set[dt.date]:
    days: set[dt.date] = set()
    day = start
    while day <= end:
        if working_calendar(on=day).is_working_day(day):
            days.add(day)
        day += dt.timedelta(days=1)
    return days


def seed_supervision(*, seed: int, today: dt.date) -> dict[str, int]:
    """Schedules for the active controlled cases and their appointments from a year back (or the
    start of control) to the horizon. Returns counts for the summary."""
    rng = stream(seed, "supervision")
    params = rule(RULE_KEY, on=today)
    horizon = today + dt.timedelta(days=int(params["horizon_days"]))
    first = today - dt.timedelta(days=HISTORY_DAYS)
    working = _working_days(first, horizon + dt.timedelta(days=14))
    # Each pattern's reporting days once, over the whole window (a Monday anchor for every case).
    anchor = first - dt.timedelta(days=first.weekday())
    pattern_days: list[list[dt.date]] = [
        schedule_days(freq, start=first, end=horizon, anchor=anchor, is_working_day=working.__contains__).days
        for _share, freq, _origin, _reason in PATTERNS
    ]
    starts: dict[tuple[dt.date, int], dt.datetime] = {}
    rows = list(
        Case.objects.filter(status=CaseStatus.ACTIVE, control_start__isnull=False, control_end__isnull=False)
        .order_by("pk")
        .values_list("pk", "officer_id", "control_start", "control_end")
    )
    schedules: list[ReportingSchedule] = []
    plans: list[tuple[int, int | None, dt.date, dt.date, int, int]] = []
    for pk, officer_id, control_start, control_end in rows:
        if control_start is None or control_end is None:  # filtered out above; for the type checker
            continue
        pick = rng.random()
        index = 0
        while index < len(PATTERNS) - 1 and pick > PATTERNS[index][0]:
            pick -= PATTERNS[index][0]
            index += 1
        _share, freq, origin, reason = PATTERNS[index]
        hour = 9 + rng.randrange(8)
        valid_from = max(control_start, first)
        schedules.append(
            ReportingSchedule(
                case_id=pk,
                pattern=freq.pattern,
                weekdays=list(freq.weekdays),
                month_days=list(freq.month_days),
                interval_weeks=freq.interval_weeks,
                time_of_day=dt.time(hour, 0),
                kind=AppointmentKind.OFFICE_REPORT,
                place=PLACES[pk % len(PLACES)],
                valid_from=valid_from,
                valid_until=None,
                origin=origin,
                override_reason=reason,
                rule_key=params.key,
                rule_version=params.version,
                created_by_id=officer_id,
                generated_until=horizon,
            )
        )
        plans.append((pk, officer_id, valid_from, min(control_end, horizon), index, hour))
    created = ReportingSchedule.objects.bulk_create(schedules, batch_size=BATCH)
    now = timezone.now()
    appointments = 0
    batch: list[tuple[Any, ...]] = []
    for schedule, (case_pk, case_officer, start, end, index, hour) in zip(created, plans, strict=True):
        schedule_id = schedule.pk
        days = pattern_days[index]
        lo, hi = bisect.bisect_left(days, start), bisect.bisect_right(days, end)
        place = schedule.place
        for day in days[lo:hi]:
            key = (day, hour)
            when = starts.get(key)
            if when is None:
                when = starts[key] = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=KZ_TZ).astimezone(dt.UTC)
            outcome: tuple[Any, ...] = NO_OUTCOME
            if day < today and not ((today - day).days <= OPEN_RECENT_DAYS and rng.random() < OPEN_RECENT_SHARE):
                outcome = _outcome(rng, case_officer, when)
            batch.append((now, now, case_pk, KIND, when, place, case_officer, schedule_id, *outcome))
            if len(batch) >= BATCH:
                appointments += _write(batch)
                batch = []
    if batch:
        appointments += _write(batch)
    return {"schedules": len(created), "appointments": appointments}


KIND = str(AppointmentKind.OFFICE_REPORT)
COLUMNS = (
    "created_at",
    "updated_at",
    "case_id",
    "kind",
    "starts_at",
    "place",
    "officer_id",
    "schedule_id",
    "outcome",
    "reason_code",
    "rescheduled_by",
    "outcome_note",
    "evidence",
    "recorded_by_id",
    "recorded_at",
)
# outcome, reason_code, rescheduled_by, outcome_note, evidence, recorded_by_id, recorded_at
NO_OUTCOME: tuple[Any, ...] = ("", "", "", "", "", None, None)


def _write(rows: list[tuple[Any, ...]]) -> int:
    """One batch of appointment rows: PostgreSQL's COPY (the benchmark's 1.5 million rows), else
    ``bulk_create``."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Appointment._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        Appointment.objects.bulk_create(
            [Appointment(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=BATCH
        )
    return len(rows)


def _outcome(rng: random.Random, officer_id: int | None, when: dt.datetime) -> tuple[Any, ...]:
    pick = rng.random()
    outcome = OUTCOMES[-1][0]
    for code, weight in OUTCOMES:
        if pick < weight:
            outcome = code
            break
        pick -= weight
    reason = evidence = note = ""
    if outcome == Outcome.ACCEPTABLE_ABSENCE:
        reason, evidence = REASONS[rng.randrange(len(REASONS))]
    elif outcome == Outcome.ATTENDED_NOT_COMPLIED:
        note = "Явился в состоянии опьянения"
    return (str(outcome), str(reason), "", note, evidence, officer_id, when + dt.timedelta(minutes=40))

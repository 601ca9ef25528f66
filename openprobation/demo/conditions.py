"""Demo data: the duties the court set on sentence cases (bulk-created; fast at tens of thousands).

Every sentence case under probation control reports to the office; some are restricted to their
locality, kept at home at night, obliged to work or study, or carry an electronic device —
always as if entered by the case's officer from the sentence (the original decision)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from openprobation.cases.models import Case, CaseStatus, CaseType, SentenceKind
from openprobation.conditions.models import CaseCondition, ConditionDefinition
from openprobation.demo.people import stream

CHUNK = 5000
CONTROLLED = (CaseStatus.REGISTERED, CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.WANTED)
KINDS = (SentenceKind.RESTRICTION_OF_LIBERTY, SentenceKind.CONDITIONAL, SentenceKind.PAROLE)
ALL_WEEK = [1, 2, 3, 4, 5, 6, 7]


def _duties(rng: random.Random, kind: str, zone: str) -> list[tuple[str, dict[str, Any]]]:
    weekly = rng.random() < 0.3
    duties: list[tuple[str, dict[str, Any]]] = [
        ("report_to_office", {"reports": 1, "period": "week"} if weekly else {"reports": 2, "period": "month"}),
        ("no_change_residence_work", {}),
    ]
    roll = rng.random()
    if kind == SentenceKind.RESTRICTION_OF_LIBERTY:
        duties.append(("no_leave_locality", {"zone": zone}))
        if roll < 0.4:
            duties.append(("home_at_hours", {"times": {"from": "22:00", "to": "06:00"}, "weekdays": ALL_WEEK}))
        if rng.random() < 0.08:
            duties.append(("wear_em_device", {}))
    elif kind == SentenceKind.CONDITIONAL:
        if roll < 0.25:
            duties.append(("work_or_study", {"deadline": {"days": 30}}))
        elif roll < 0.4:
            duties.append(("home_at_hours", {"times": {"from": "23:00", "to": "06:00"}, "weekdays": [5, 6, 7]}))
        if rng.random() < 0.05:
            duties.append(("no_visit_places", {"places": ["бары, рестораны, ночные клубы"]}))
    elif roll < 0.5:
        duties.append(("no_leave_locality", {"zone": zone}))
    return duties


def seed_conditions(*, seed: int, today: dt.date) -> int:
    """Give the controlled sentence cases that have none their court's duties. Returns how many
    duties were created (running it again creates none)."""
    rng = stream(seed, "conditions")
    definitions = {d.code: d for d in ConditionDefinition.objects.filter(version=1, effective_from__lte=today)}
    rows = (
        Case.objects.filter(case_type=CaseType.SENTENCE, sentence_kind__in=KINDS, status__in=CONTROLLED)
        .exclude(conditions__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "sentence_kind",
            "effective_date",
            "decision_date",
            "received_on",
            "officer_id",
            "office__region__name_ru",
        )
    )
    created, batch = 0, []
    for pk, kind, effective, decided, received, officer_id, region in rows.iterator(chunk_size=CHUNK):
        start = effective or decided or received
        for code, params in _duties(rng, kind, region or ""):
            if code not in definitions or (code == "no_leave_locality" and not params["zone"]):
                continue
            batch.append(
                CaseCondition(
                    case_id=pk,
                    definition=definitions[code],
                    params=params,
                    in_force_from=start,
                    entered_by_id=officer_id,
                )
            )
        if len(batch) >= CHUNK:
            CaseCondition.objects.bulk_create(batch)
            created, batch = created + len(batch), []
    CaseCondition.objects.bulk_create(batch)
    return created + len(batch)

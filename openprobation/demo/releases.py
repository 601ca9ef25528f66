"""Demo release plans: the open penitentiary cases released in the next seven months get plans with
items in every state (further from release, less done; some at risk or not ready), receiving offices
in other districts, the offices told of releases within the notice period, and the prison cases
released in the past month handed over to their post-penitentiary cases. Written in bulk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from openprobation.accounts.models import Office
from openprobation.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseType
from openprobation.demo.people import stream
from openprobation.releases.models import (
    Area,
    EventKind,
    HandoverKind,
    ItemStatus,
    PlanStatus,
    ReleasePlan,
    ReleasePlanEvent,
    ReleasePlanItem,
)
from openprobation.releases.services import notice_day, preparation_start

BATCH = 2000
MAX_PLANS = 400
OWNERS: dict[str, list[str]] = {
    Area.HOUSING: ["Ауыл әкімдігі, тұрғын үй бөлімі", "Сестра, г. Қонаев", "Центр адаптации «Үміт»"],
    Area.DOCUMENTS: ["ХҚКО (ЦОН)", "Мекеменің арнайы бөлімі", "Миграционная служба"],
    Area.EMPLOYMENT: ["Халықты жұмыспен қамту орталығы", "Колледж, курсы сварщиков", "ТОО «Құрылыс-Сервис»"],
    Area.HEALTH: ["Аудандық емхана", "Наркологический диспансер", "Мекеменің медициналық бөлімі"],
    Area.BENEFITS: ["Жұмыспен қамту және әлеуметтік бағдарламалар бөлімі", "ГЦВП (пенсия по инвалидности)"],
    Area.FAMILY: ["Анасы", "Жұбайы", "Социальный работник учреждения"],
    Area.TRAVEL: ["Мекеме (жол ақысы)", "Брат встречает на вокзале"],
    Area.REGISTRATION: ["Пробация қызметінің инспекторы"],
}
NOTES = ["Құжаттар тапсырылды", "Ждём ответа", "Келісім алынды", "Нужна справка", ""]


def _at(day: dt.date) -> dt.datetime:
    """Ten in the morning of ``day`` (when a demo event happened)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _item_status(rng: Any, progress: float) -> str:
    roll = rng.random()
    if roll < 0.08:
        return ItemStatus.NOT_NEEDED
    if roll < 0.08 + 0.92 * progress:
        return ItemStatus.DONE
    return ItemStatus.IN_PROGRESS if rng.random() < 0.5 else ItemStatus.OPEN


def _receiving(rng: Any, case: Case, offices: list[Office]) -> Office | None:
    others = [o for o in offices if o.pk != case.office_id and o.region_id == case.office.region_id]
    others = others or [o for o in offices if o.pk != case.office_id]
    return rng.choice(others) if others else None


def seed_releases(*, seed: int, today: dt.date) -> dict[str, int]:
    rng = stream(seed, "releases")
    offices = list(Office.objects.order_by("pk"))
    soon = (
        Case.objects.filter(
            case_type=CaseType.PENITENTIARY,
            status__in=OPEN_STATUSES,
            release_date__gte=today,
            release_date__lte=today + relativedelta(months=7),
            release_plan__isnull=True,
        )
        .select_related("office", "officer")
        .order_by("release_date", "pk")[:MAX_PLANS]
    )
    plans: list[ReleasePlan] = []
    progress: dict[int, float] = {}
    for case in soon:
        assert case.release_date is not None  # noqa: S101 - filtered above
        opens_on, key, version = preparation_start(release_date=case.release_date, on=today)
        days = (case.release_date - today).days
        receiving = _receiving(rng, case, offices) if days < 150 or rng.random() < 0.5 else None
        notice, nkey, nversion = notice_day(release_date=case.release_date, on=today)
        told = receiving is not None and notice <= today
        kind = HandoverKind.POST_PENITENTIARY if rng.random() < 0.8 else HandoverKind.PAROLE
        plan = ReleasePlan(
            case=case,
            person_id=case.person_id,
            office_id=case.office_id,
            release_date=case.release_date,
            opens_on=opens_on,
            rule_key=key,
            rule_version=version,
            receiving_office=receiving,
            handover_kind=kind,
            notice_due_on=notice if told else None,
            notice_rule_key=nkey if told else "",
            notice_rule_version=nversion if told else None,
            notified_at=_at(notice) if told else None,
            notified_office=receiving if told else None,
            opened_by=case.officer,
        )
        if kind == HandoverKind.PAROLE:
            plan.decision_court = "Облыстық сот"
            plan.decision_number = f"4-{rng.randint(10, 999)}/{today.year}"
            plan.decision_date = today - dt.timedelta(days=rng.randint(5, 40))
            plan.decision_effective_date = plan.decision_date + dt.timedelta(days=15)
            plan.term_months = rng.randint(6, 30)
        plans.append(plan)
        # Further from release, less done; one plan in four lags behind (at risk or not ready).
        base = max(0.0, min(1.0, 1 - days / 210))
        progress[case.pk] = base * (0.4 if rng.random() < 0.25 else 1.0)
    ReleasePlan.objects.bulk_create(plans, batch_size=BATCH)

    handed: list[ReleasePlan] = []
    released = (
        Case.objects.filter(
            case_type=CaseType.PENITENTIARY,
            status=CaseStatus.COMPLETED,
            release_date__gte=today - dt.timedelta(days=30),
            release_date__lt=today,
            release_plan__isnull=True,
        )
        .select_related("office", "officer")
        .order_by("pk")[: MAX_PLANS // 4]
    )
    for case in released:
        assert case.release_date is not None  # noqa: S101 - filtered above
        after = (
            Case.objects.filter(person_id=case.person_id, case_type=CaseType.POST_PENITENTIARY)
            .order_by("received_on", "pk")
            .first()
        )
        if after is None:
            continue
        opens_on, key, version = preparation_start(release_date=case.release_date, on=case.release_date)
        handed.append(
            ReleasePlan(
                case=case,
                person_id=case.person_id,
                office_id=case.office_id,
                release_date=case.release_date,
                opens_on=opens_on,
                rule_key=key,
                rule_version=version,
                receiving_office_id=after.office_id,
                status=PlanStatus.HANDED_OVER,
                notified_at=_at(case.release_date - dt.timedelta(days=30)),
                notified_office_id=after.office_id,
                handed_over_case=after,
                handed_over_at=_at(case.release_date),
                released_on=case.release_date,
                opened_by=case.officer,
            )
        )
        progress[case.pk] = 0.9
    ReleasePlan.objects.bulk_create(handed, batch_size=BATCH)

    items: list[ReleasePlanItem] = []
    events: list[ReleasePlanEvent] = []
    for plan in [*plans, *handed]:
        officer = plan.case.officer
        for area in Area.values:
            status = _item_status(rng, progress[plan.case_id])
            if area == Area.REGISTRATION and plan.status == PlanStatus.HANDED_OVER:
                status = ItemStatus.DONE
            items.append(
                ReleasePlanItem(
                    plan=plan,
                    area=area,
                    status=status,
                    owner_name=rng.choice(OWNERS[area]) if status != ItemStatus.NOT_NEEDED else "",
                    owner_user=officer if area == Area.REGISTRATION else None,
                    due_on=plan.release_date - dt.timedelta(days=rng.choice([0, 7, 14, 30])),
                    note=rng.choice(NOTES),
                    updated_by=officer,
                )
            )
        opened_at = _at(min(plan.opens_on, today))
        events.append(ReleasePlanEvent(plan=plan, kind=EventKind.OPENED, by=officer, at=opened_at))
        if plan.notified_at is not None:
            events.append(ReleasePlanEvent(plan=plan, kind=EventKind.NOTIFIED, at=plan.notified_at))
        if plan.status == PlanStatus.HANDED_OVER:
            events.append(ReleasePlanEvent(plan=plan, kind=EventKind.HANDED_OVER, at=plan.handed_over_at or opened_at))
    ReleasePlanItem.objects.bulk_create(items, batch_size=BATCH)
    moments = [e.at for e in events]  # auto_now_add stamps "now" on create: put each back at its day
    created = ReleasePlanEvent.objects.bulk_create(events, batch_size=BATCH)
    for event, moment in zip(created, moments, strict=True):
        event.at = moment
    ReleasePlanEvent.objects.bulk_update(created, ["at"], batch_size=BATCH)
    return {
        "release_plans": len(plans),
        "release_plans_handed_over": len(handed),
        "release_plan_items": len(items),
    }

"""Demo labour duties: forced-labour hours for the restriction-of-liberty cases across their
sentence year (most on pace, some behind), and employment duties with referrals, offers and
answers (one refusal without good reason). Written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from openprobation.cases.models import OPEN_STATUSES, Case, SentenceKind
from openprobation.conditions.catalogue import definition_for
from openprobation.conditions.models import CaseCondition
from openprobation.demo.people import stream
from openprobation.labour import ports
from openprobation.labour.domain import employment_deadline, sentence_year
from openprobation.labour.models import (
    DutyStatus,
    EmploymentDuty,
    JobOffer,
    JobReferral,
    LabourHours,
    OfferAnswer,
    ReferralKind,
)

BATCH = 2000
ORGANISERS = [
    "Әкімдіктің тұрғын үй-коммуналдық шаруашылығы бөлімі",
    "Отдел ЖКХ акимата района",
    "«Көркейту» КММ",
    "ГКП «Тазалык» акимата",
]
EMPLOYERS = [
    ("«Құрылыс-Сервис» ЖШС", "Жұмысшы"),
    ("ТОО «Алматы Логистик»", "Грузчик"),
    ("«Тазалық» МКК", "Аула сыпырушы"),
    ("ИП «Нурлан»", "Продавец"),
    ("ТОО «АвтоСервис Плюс»", "Автослесарь"),
]
NOT_WORKING = ("unemployed", "unknown")
# Demo duties at most: enough for every office's queue, few enough to stay quick at every size.
MAX_DUTIES = 400


def _hours_for(rng: random.Random, case: Case, today: dt.date) -> list[LabourHours]:
    if case.control_start is None or case.officer is None:
        return []
    year = sentence_year(control_start=case.control_start, control_end=case.control_end, on=today)
    last = min(today - dt.timedelta(days=1), year.end)
    # On pace: a 4-hour day about every two weeks (100 h a year); one case in five falls behind.
    every = rng.choice([12, 13, 14]) if rng.random() > 0.2 else rng.choice([25, 35, 50])
    rows: list[LabourHours] = []
    day = year.start + dt.timedelta(days=rng.randrange(0, 7))
    while day <= last:
        if day.weekday() < 5:
            rows.append(
                LabourHours(
                    case=case,
                    worked_on=day,
                    hours=Decimal(rng.choice([4, 4, 4, 3, 2])),
                    organisation=rng.choice(ORGANISERS),
                    recorded_by=case.officer,
                )
            )
        day += dt.timedelta(days=every)
    return rows


def _court_duties(candidates: list[Case], today: dt.date) -> list[Case]:
    """The candidates whose court ordered work or study. When the conditions' demo data gave no
    case that duty, it is entered here from the original decision for a share of them (so no duty
    is tracked that the court did not order)."""
    ordered = set(
        Case.objects.filter(
            pk__in=ports.cases_with_condition(code=ports.WORK_OR_STUDY, on=today),
        ).values_list("pk", flat=True)
    )
    if ordered:
        return [c for c in candidates if c.pk in ordered]
    definition = definition_for(ports.WORK_OR_STUDY, today)
    if definition is None:
        return []
    chosen = candidates[:MAX_DUTIES]
    CaseCondition.objects.bulk_create(
        [
            CaseCondition(
                case=case,
                definition=definition,
                params={"deadline": {"days": 30}},
                in_force_from=case.effective_date or today,
                entered_by=case.officer,
            )
            for case in chosen
        ],
        batch_size=BATCH,
    )
    return chosen


def seed_labour(*, seed: int, today: dt.date) -> dict[str, int]:
    rng = stream(seed, "labour")
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES, officer__isnull=False).select_related(
        "person", "officer"
    )
    hours: list[LabourHours] = []
    rol = open_cases.filter(
        sentence_kind=SentenceKind.RESTRICTION_OF_LIBERTY,
        control_start__lte=today,
        person__employment_status__in=NOT_WORKING,
    ).order_by("pk")
    for case in rol:
        hours.extend(_hours_for(rng, case, today))
    LabourHours.objects.bulk_create(hours, batch_size=BATCH)

    dated = open_cases.filter(effective_date__isnull=False, effective_date__lte=today)
    ordered = dated.filter(pk__in=ports.cases_with_condition(code=ports.WORK_OR_STUDY, on=today))
    # The cases whose court ordered work (the conditions' demo data); else recent cases of people
    # without work, for which the duty is entered below.
    pool = (
        ordered
        if ordered.exists()
        else dated.filter(effective_date__gte=today - dt.timedelta(days=400), person__employment_status__in=NOT_WORKING)
    )
    candidates = list(pool.order_by("pk")[: MAX_DUTIES * 3])
    rng.shuffle(candidates)
    chosen = _court_duties(candidates, today)[:MAX_DUTIES]
    duties: list[EmploymentDuty] = []
    for case in chosen:
        if case.effective_date is None:
            continue
        deadline = employment_deadline(
            effective_date=case.effective_date,
            court_deadline=ports.court_deadline(case=case, effective_date=case.effective_date, on=today),
        )
        met = deadline.due < today and rng.random() < 0.6
        duties.append(
            EmploymentDuty(
                case=case,
                deadline=deadline.due,
                rule_key=deadline.rule_key,
                rule_version=deadline.rule_version,
                status=rng.choice([DutyStatus.EMPLOYED, DutyStatus.STUDYING]) if met else DutyStatus.SEEKING,
                status_on=min(today, deadline.due) if met else case.effective_date,
                employer=rng.choice(EMPLOYERS)[0] if met else "",
            )
        )
    EmploymentDuty.objects.bulk_create(duties, batch_size=BATCH)
    referrals: list[JobReferral] = []
    for duty in duties:
        if rng.random() < 0.8:
            referrals.append(
                JobReferral(
                    duty=duty,
                    kind=ReferralKind.EMPLOYMENT_CENTRE,
                    organisation="Халықты жұмыспен қамту орталығы",
                    issued_on=min(today, duty.case.effective_date + dt.timedelta(days=rng.randrange(1, 10))),  # type: ignore[operator]
                    issued_by=duty.case.officer,  # type: ignore[misc]
                )
            )
    JobReferral.objects.bulk_create(referrals, batch_size=BATCH)
    offers: list[JobOffer] = []
    refused_once = False
    for referral in referrals:
        if rng.random() < 0.6:
            employer, position = rng.choice(EMPLOYERS)
            offered = min(today, referral.issued_on + dt.timedelta(days=rng.randrange(3, 20)))
            answer = OfferAnswer.PENDING
            if referral.duty.status != DutyStatus.SEEKING:
                answer = OfferAnswer.ACCEPTED
            elif not refused_once:
                answer, refused_once = OfferAnswer.REFUSED_NO_REASON, True
            elif rng.random() < 0.3:
                answer = OfferAnswer.REFUSED_GOOD_REASON
            offers.append(
                JobOffer(
                    duty=referral.duty,
                    referral=referral,
                    employer=employer,
                    position=position,
                    offered_on=offered,
                    answer=answer,
                    answered_on=min(today, offered + dt.timedelta(days=2)) if answer else None,
                    answer_reason="Денсаулығына байланысты" if answer == OfferAnswer.REFUSED_GOOD_REASON else "",
                    recorded_by=referral.issued_by,
                )
            )
    JobOffer.objects.bulk_create(offers, batch_size=BATCH)
    for offer in offers:
        if offer.answer == OfferAnswer.REFUSED_NO_REASON and offer.answered_on is not None:
            ports.violation_candidate(
                actor=None,
                case=offer.duty.case,
                kind=ports.WORK_REFUSAL,
                occurred_on=offer.answered_on,
                description=f"Refused the job offered ({offer}) without a good reason.",
                source_ref=f"offer:{offer.pk}",
            )
    return {"labour_hours": len(hours), "employment_duties": len(duties), "job_offers": len(offers)}

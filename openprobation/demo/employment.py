"""Demo employment: per district, employers (the partner organisations of kind employer when the
partners' demo data made them, else created here) with this year's job quotas approved by the
akimat (and last year's for some), an employment centre, vacancies, and for a share of the people
without work a referral from the centre, then a placement (some ended, some outside the quota), a
refusal (with or without a good reason) or a lapse; each with its status history. Written in bulk,
deterministic for a seed.

Demo refusals without a good reason are not recorded against the court's duty to work: the labour
demo data has its own refusal and violation candidate, and the services do that in real use."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from openprobation.accounts.models import Office, Role, User
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.demo.people import stream
from openprobation.employment.models import (
    EmploymentReferral,
    EmploymentStatusChange,
    EndReason,
    JobQuota,
    JobRefusal,
    Placement,
    ReferralStatus,
    ReferralStatusChange,
    StatusSource,
    Vacancy,
    VacancyStatus,
)
from openprobation.people.models import Employment, Person
from openprobation.programmes.catalogue import OrganisationKind
from openprobation.programmes.models import PartnerOrganisation

BATCH = 2000
# People without work given a referral, per district at most (keeps large demos quick).
MAX_PER_OFFICE = 40
EMPLOYERS = [
    ("«Құрылыс-Сервис» ЖШС", "Құрылыс жұмысшысы", "Бетоншы"),
    ("ТОО «Алматы Логистик»", "Грузчик", "Кладовщик"),
    ("«Тазалық» МКК", "Аула сыпырушы", "Көгалдандырушы"),
    ("ТОО «АгроДала»", "Механизатор", "Разнорабочий"),
    ("ТОО «АвтоСервис Плюс»", "Автослесарь", "Мойщик"),
    ("«Нан-Өнім» ЖШС", "Наубайшы", "Буып-түюші"),
]
CENTRE = "Халықты жұмыспен қамту орталығы"
REFUSAL_REASONS = [
    (True, "Денсаулығы бойынша ауыр жұмысқа жарамсыз (анықтама бар)"),
    (True, "Жұмыс орны тұрғылықты жерінен 60 км қашықтықта, көлік жоқ"),
    (False, "Жалақы аз деп бас тартты"),
    (False, "Не пожелал работать грузчиком"),
]
END_REASONS = [EndReason.CONTRACT_ENDED, EndReason.RESIGNED, EndReason.DISMISSED, EndReason.MOVED]


def _organisations(office: Office, kind: str, names: list[str]) -> list[PartnerOrganisation]:
    found = list(PartnerOrganisation.objects.filter(kind=kind, active=True, districts=office).order_by("pk"))
    if found:
        return found
    made = []
    for name in names:
        org = PartnerOrganisation.objects.create(
            name=f"{name}, {office.code}",
            kind=kind,
            region_id=office.region_id,
            address=f"{office.code}, Абай көшесі",
            phone="+7 727 000 00 00",
            languages=["kk", "ru"],
        )
        org.districts.add(office)
        made.append(org)
    return made


def _day_between(rng: Any, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=rng.randrange(0, span + 1)) if span > 0 else start


def seed_employment(*, seed: int, today: dt.date) -> dict[str, int]:
    rng = stream(seed, "employment")
    counts: dict[str, int] = defaultdict(int)
    offices = list(Office.objects.order_by("pk"))
    staff = {u.office_id: u for u in User.objects.filter(role=Role.HEAD_OF_OFFICE, office__isnull=False).order_by("pk")}
    anyone = User.objects.order_by("pk").first()
    if anyone is None:
        return {}
    fallback: int = anyone.pk

    def by(case: Case) -> int:
        return case.officer_id or fallback

    quotas: list[JobQuota] = []
    vacancies: list[Vacancy] = []
    employers_of: dict[int, list[PartnerOrganisation]] = {}
    centre_of: dict[int, PartnerOrganisation] = {}
    for office in offices:
        picked = rng.sample(EMPLOYERS, 3)
        employers = _organisations(office, OrganisationKind.EMPLOYER, [e[0] for e in picked])
        centre = _organisations(office, OrganisationKind.EMPLOYMENT_CENTRE, [CENTRE])[0]
        employers_of[office.pk], centre_of[office.pk] = employers, centre
        head = staff.get(office.pk, anyone)
        for employer in employers:
            for year in (today.year - 1, today.year):
                if year < today.year and rng.random() < 0.5:
                    continue
                quotas.append(
                    JobQuota(
                        employer=employer,
                        office=office,
                        year=year,
                        places=rng.randint(2, 8),
                        decision_number=f"{rng.randint(10, 480)}/{rng.randint(1, 9)}",
                        decision_date=dt.date(year - 1, 12, rng.randint(5, 28)),
                        note="Әкімдік қаулысы",
                        set_by=head,
                    )
                )
            titles = next((e[1:] for e in EMPLOYERS if employer.name.startswith(e[0])), ("Жұмысшы", "Күзетші"))
            for title in titles[: rng.randint(1, 2)]:
                opened = today - dt.timedelta(days=rng.randint(5, 200))
                status = rng.choice(
                    [VacancyStatus.OPEN, VacancyStatus.OPEN, VacancyStatus.FILLED, VacancyStatus.CLOSED]
                )
                vacancies.append(
                    Vacancy(
                        employer=employer,
                        office=office,
                        title=title,
                        places=rng.randint(1, 3),
                        wage=rng.choice([None, 95000, 120000, 150000, 180000]),
                        requirements=rng.choice(["", "Тәжірибе қажет емес", "Опыт от 1 года"]),
                        opened_on=opened,
                        closed_on=None if status == VacancyStatus.OPEN else _day_between(rng, opened, today),
                        counts_toward_quota=rng.random() < 0.85,
                        status=status,
                        created_by=head,
                    )
                )
    JobQuota.objects.bulk_create(quotas, batch_size=BATCH)
    Vacancy.objects.bulk_create(vacancies, batch_size=BATCH)
    counts["quotas"], counts["vacancies"] = len(quotas), len(vacancies)
    quota_at = {(q.employer_id, q.office_id, q.year): q for q in quotas}
    free = {q.pk: q.places for q in quotas}
    open_vacancies: dict[int, list[Vacancy]] = defaultdict(list)
    for v in vacancies:
        if v.status == VacancyStatus.OPEN:
            open_vacancies[v.office_id].append(v)

    cases = (
        Case.objects.filter(
            status__in=OPEN_STATUSES,
            officer__isnull=False,
            person__employment_status__in=[Employment.UNEMPLOYED, Employment.UNKNOWN],
        )
        .select_related("person")
        .order_by("office_id", "pk")
    )
    per_office: dict[int, int] = defaultdict(int)
    seen: set[int] = set()
    referrals: list[EmploymentReferral] = []
    plans: list[tuple[EmploymentReferral, Case, str]] = []
    for case in cases:
        if case.person_id in seen or per_office[case.office_id] >= MAX_PER_OFFICE or rng.random() < 0.4:
            continue
        seen.add(case.person_id)
        per_office[case.office_id] += 1
        earliest = max(case.received_on, today - dt.timedelta(days=330))
        if earliest >= today - dt.timedelta(days=2):
            continue
        issued = _day_between(rng, earliest, today - dt.timedelta(days=2))
        vacancy = (
            rng.choice(open_vacancies[case.office_id])
            if open_vacancies[case.office_id] and rng.random() < 0.5
            else None
        )
        employer = vacancy.employer if vacancy else rng.choice(employers_of[case.office_id])
        outcome = rng.choices(["placed", "refused", "expired", "issued"], weights=[45, 20, 15, 20])[0]
        referral = EmploymentReferral(
            case=case,
            person=case.person,
            office_id=case.office_id,
            centre=centre_of[case.office_id],
            employer=employer,
            vacancy=vacancy,
            number=f"ЖК-{issued.year}-{rng.randint(100, 9999)}",
            issued_on=issued,
            status_on=issued,
            issued_by_id=by(case),
        )
        referrals.append(referral)
        plans.append((referral, case, outcome))
    EmploymentReferral.objects.bulk_create(referrals, batch_size=BATCH)

    placements: list[Placement] = []
    refusals: list[JobRefusal] = []
    moves: list[ReferralStatusChange] = []
    history: list[EmploymentStatusChange] = []
    employed: list[int] = []
    for referral, case, outcome in plans:
        history.append(
            EmploymentStatusChange(
                person_id=case.person_id,
                case=case,
                status=Employment.UNEMPLOYED,
                since=case.received_on,
                source=StatusSource.MANUAL,
                note="Тіркеу кезінде",
                recorded_by_id=by(case),
            )
        )
        if outcome == "issued":
            continue
        on = min(referral.issued_on + dt.timedelta(days=rng.randint(2, 20)), today)
        referral.status, referral.status_on = outcome, on
        moves.append(
            ReferralStatusChange(
                referral=referral,
                from_status=ReferralStatus.ISSUED,
                to_status=outcome,
                reason=str(ReferralStatus(outcome).label),
                effective_on=on,
                changed_by_id=by(case),
            )
        )
        if outcome == "refused":
            good, reason = rng.choice(REFUSAL_REASONS)
            refusals.append(
                JobRefusal(
                    case=case,
                    person_id=case.person_id,
                    office_id=case.office_id,
                    referral=referral,
                    vacancy=referral.vacancy,
                    employer=referral.employer,
                    refused_on=on,
                    reason=reason,
                    good_reason=good,
                    judged_by_id=by(case),
                )
            )
        if outcome != "placed":
            continue
        counts_to = referral.vacancy is None or referral.vacancy.counts_toward_quota
        quota = quota_at.get((referral.employer_id, case.office_id, on.year)) if counts_to else None
        # A place beyond the quota is taken only outside it (the rule ``placement_start`` applies).
        beyond = quota is not None and free[quota.pk] <= 0
        if beyond:
            quota = None
        elif quota is not None:
            free[quota.pk] -= 1
        ended = None
        if rng.random() < 0.25 and on + dt.timedelta(days=21) < today:
            ended = _day_between(rng, on + dt.timedelta(days=20), today - dt.timedelta(days=1))
        placement = Placement(
            case=case,
            person_id=case.person_id,
            office_id=case.office_id,
            employer=referral.employer,
            vacancy=referral.vacancy,
            quota=quota,
            referral=referral,
            position=referral.vacancy.title if referral.vacancy else "Жұмысшы",
            started_on=on,
            ended_on=ended,
            end_reason=rng.choice(END_REASONS) if ended else "",
            outside_quota=beyond or not counts_to,
            recorded_by_id=by(case),
        )
        placements.append(placement)
        if ended is None:
            employed.append(case.person_id)
    EmploymentReferral.objects.bulk_update(
        [r for r, _c, o in plans if o != "issued"], ["status", "status_on"], batch_size=BATCH
    )
    ReferralStatusChange.objects.bulk_create(moves, batch_size=BATCH)
    Placement.objects.bulk_create(placements, batch_size=BATCH)
    JobRefusal.objects.bulk_create(refusals, batch_size=BATCH)
    for placement in placements:
        history.append(
            EmploymentStatusChange(
                person_id=placement.person_id,
                case=placement.case,
                status=Employment.EMPLOYED,
                since=placement.started_on,
                source=StatusSource.PLACEMENT,
                note=f"{placement.position}, {placement.employer.name}",
                placement=placement,
                recorded_by_id=placement.recorded_by_id,
            )
        )
        if placement.ended_on:
            history.append(
                EmploymentStatusChange(
                    person_id=placement.person_id,
                    case=placement.case,
                    status=Employment.UNEMPLOYED,
                    since=placement.ended_on,
                    source=StatusSource.ENDED,
                    note=str(EndReason(placement.end_reason).label),
                    placement=placement,
                    recorded_by_id=placement.recorded_by_id,
                )
            )
    for refusal in refusals:
        history.append(
            EmploymentStatusChange(
                person_id=refusal.person_id,
                case=refusal.case,
                status=Employment.UNEMPLOYED,
                since=refusal.refused_on,
                source=StatusSource.REFUSAL,
                note=refusal.reason,
                refusal=refusal,
                recorded_by_id=refusal.judged_by_id,
            )
        )
    EmploymentStatusChange.objects.bulk_create(history, batch_size=BATCH)
    Person.objects.filter(pk__in=[r.person_id for r, _c, _o in plans]).update(employment_status=Employment.UNEMPLOYED)
    Person.objects.filter(pk__in=employed).update(employment_status=Employment.EMPLOYED)
    counts.update(
        {
            "employment_referrals": len(referrals),
            "placements": len(placements),
            "job_refusals": len(refusals),
            "employment_status_changes": len(history),
        }
    )
    return dict(counts)

"""Demo partner organisations and referrals.

``seed_partners`` registers the organisations every district works with (an employment centre, the
akimat's social department, a clinic, a college, an NGO, legal aid, the guardianship body, a
child-rights organisation and two or three employers per office), with services, capacity and
contacts, and ties the demo ``partner`` login (and ``partner_ngo``) to two organisations of the
home office. ``seed_referrals`` runs after the programmes are seeded: it refers existing
programme measures to fitting organisations in every state, some overdue, some escalated, and
the measures follow. Written in bulk; deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from openprobation.accounts.models import Office, Role, User
from openprobation.demo.credentials import DEMO_PASSWORD
from openprobation.demo.people import stream
from openprobation.programmes.models import (
    MeasureStatus,
    PartnerOrganisation,
    PartnerStaff,
    ProgrammeMeasure,
    ProgrammeStatus,
    Referral,
    ReferralEvent,
    ReferralNumberSequence,
    ReferralStatus,
)
from openprobation.programmes.rules import REFERRAL_DEADLINES
from openprobation.rules.rulebook import add_working_days, rule

BATCH = 2000
# (kind, Russian name, Kazakh name, services, places, period)
KINDS: list[tuple[str, str, str, list[str], int, str]] = [
    (
        "employment_centre",
        "Центр занятости населения",
        "Халықты жұмыспен қамту орталығы",
        ["employment", "vocational_training", "benefits"],
        40,
        "month",
    ),
    (
        "akimat",
        "Отдел занятости и социальных программ акимата",
        "Әкімдіктің жұмыспен қамту және әлеуметтік бағдарламалар бөлімі",
        ["benefits", "housing", "social_patronage", "cultural", "identity_documents"],
        30,
        "month",
    ),
    (
        "health",
        "Городская поликлиника",
        "Қалалық емхана",
        ["health_care", "rehabilitation", "psychological_support"],
        25,
        "month",
    ),
    (
        "education",
        "Политехнический колледж",
        "Политехникалық колледж",
        ["secondary_education", "vocational_training"],
        20,
        "quarter",
    ),
    (
        "ngo",
        "Общественный фонд «Шанс»",
        "«Мүмкіндік» қоғамдық қоры",
        ["counselling", "psychological_support", "family_ties", "social_patronage", "rehabilitation"],
        15,
        "month",
    ),
    (
        "legal_aid",
        "Юридическая консультация",
        "Заң консультациясы",
        ["legal_advice", "identity_documents"],
        20,
        "month",
    ),
    (
        "guardianship",
        "Орган опеки и попечительства",
        "Қорғаншылық және қамқоршылық органы",
        ["family_ties", "counselling"],
        10,
        "month",
    ),
    (
        "child_rights",
        "Центр защиты прав детей",
        "Балалар құқығын қорғау орталығы",
        ["legal_advice", "counselling", "cultural"],
        10,
        "month",
    ),
]
EMPLOYERS = [
    ("ТОО «Құрылыс-Сервис»", "«Құрылыс-Сервис» ЖШС"),
    ("ТОО «Алматы Логистик»", "«Алматы Логистик» ЖШС"),
    ("ГКП «Тазалык»", "«Тазалық» МКК"),
    ("ТОО «АвтоСервис Плюс»", "«АвтоСервис Плюс» ЖШС"),
]
CONTACTS = ["Ахметова Гульнара", "Сейткали Ержан", "Иванова Ольга", "Нурланов Арман", "Жумабаева Айгерим"]
PARTNER_LOGINS = {"partner": "employment_centre", "partner_ngo": "ngo"}


Spec = tuple[str, str, str, list[str], int, str]


def _district(office_name: str) -> str:
    """The district of an office's name: "Служба пробации: Алмалинский район" → "Алмалинский район",
    "Алмалы ауданы пробация қызметі" → "Алмалы ауданы"."""
    return office_name.split(": ", 1)[-1].removesuffix(" пробация қызметі")


def _org(office: Office, n: int, rng: Any, spec: Spec) -> PartnerOrganisation:
    kind, ru, kk, services, places, period = spec
    return PartnerOrganisation(
        name=f"{ru} ({_district(office.name_ru)})",
        name_kk=f"{kk} ({_district(office.name_kk)})",
        kind=kind,
        bin=f"{rng.randint(10**11, 10**12 - 1)}",
        region_id=office.region_id,
        services=services,
        capacity=places,
        capacity_period=period,
        contact_person=rng.choice(CONTACTS),
        phone=f"+7 7{rng.randint(0, 9)}{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        email=f"{kind.replace('_', '')}.{office.code.lower()}.{n}@partner.example.kz",
        address=f"{_district(office.name_ru)}, ул. Абая, {rng.randint(1, 200)}",
        languages=["kk", "ru"],
    )


def seed_partners(*, seed: int, today: dt.date) -> dict[str, int]:
    """Organisations of several kinds in every district (office), and the demo partner logins."""
    rng = stream(seed, "partners")
    offices = list(Office.objects.order_by("id"))
    drafts: list[tuple[PartnerOrganisation, Office]] = []
    for office in offices:
        for n, (kind, ru, kk, services, places, period) in enumerate(KINDS):
            spec = (kind, ru, kk, services, places + rng.randint(-5, 5), period)
            drafts.append((_org(office, n, rng, spec), office))
        for m, (ru, kk) in enumerate(rng.sample(EMPLOYERS, rng.choice([2, 3]))):
            employer = _org(office, 20 + m, rng, ("employer", ru, kk, ["employment"], rng.randint(2, 8), "month"))
            employer.name, employer.name_kk = (
                f"{ru} ({_district(office.name_ru)})",
                f"{kk} ({_district(office.name_kk)})",
            )
            drafts.append((employer, office))
    orgs = PartnerOrganisation.objects.bulk_create([o for o, _office in drafts], batch_size=BATCH)
    through = PartnerOrganisation.districts.through
    links = [
        through(partnerorganisation_id=o.pk, office_id=office.pk) for o, (_d, office) in zip(orgs, drafts, strict=True)
    ]
    # The region's employment centre of the first office also serves a neighbouring district.
    by_region: dict[int, list[Office]] = defaultdict(list)
    for office in offices:
        by_region[office.region_id].append(office)
    for o, (_d, office) in zip(orgs, drafts, strict=True):
        neighbours = [x for x in by_region[office.region_id] if x.pk != office.pk]
        if o.kind == "employment_centre" and neighbours and rng.random() < 0.3:
            links.append(through(partnerorganisation_id=o.pk, office_id=neighbours[0].pk))
    through.objects.bulk_create(links, batch_size=BATCH)
    staff = 0
    if offices:
        home = offices[0]
        home_orgs = {o.kind: o for o, (_d, office) in zip(orgs, drafts, strict=True) if office.pk == home.pk}
        password = make_password(DEMO_PASSWORD)
        for username, kind in PARTNER_LOGINS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(
                    username=username,
                    password=password,
                    role=Role.PARTNER_STAFF,
                    first_name="Самал",
                    last_name="Оспанова",
                )
            if user.role == Role.PARTNER_STAFF and not PartnerStaff.objects.filter(user=user).exists():
                PartnerStaff.objects.create(user=user, organisation=home_orgs[kind])
                staff += 1
    return {"organisations": len(orgs), "partner_staff": staff}


# --- Referrals -------------------------------------------------------------------------------------------

# The share of the states among the demo referrals (draft, sent, accepted, declined, in progress,
# completed, cancelled).
STATES = [
    (ReferralStatus.DRAFT, 1),
    (ReferralStatus.SENT, 3),
    (ReferralStatus.ACCEPTED, 2),
    (ReferralStatus.DECLINED, 1),
    (ReferralStatus.IN_PROGRESS, 3),
    (ReferralStatus.COMPLETED, 3),
    (ReferralStatus.CANCELLED, 1),
]
REQUESTS = {
    "employment": "Просим подобрать подходящую вакансию и пригласить на собеседование.",
    "vocational_training": "Кәсіптік оқуға (дәнекерлеуші курсы) қабылдауды сұраймыз.",
    "health_care": "Просим провести осмотр и поставить на диспансерный учёт.",
    "legal_advice": "Азаматқа құжаттарды қалпына келтіру бойынша кеңес беруді сұраймыз.",
}
OUTCOMES = [
    ("Трудоустроен, приказ о приёме на работу", True),
    ("Оқу курсын аяқтады, сертификат алды", True),
    ("Консультация проведена, документы поданы", True),
    ("Не явился на три приглашения", False),
]
DECLINES = ["Нет свободных мест в этом квартале", "Адам біздің аумақта тұрмайды"]


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_referrals(*, seed: int, today: dt.date) -> dict[str, int]:
    """Referrals of existing programme measures to organisations that fit (offer the measure and
    serve the case's district), in every state; some overdue and escalated. Returns counts."""
    rng = stream(seed, "referrals")
    params = rule(REFERRAL_DEADLINES, on=today)
    orgs_by_office: dict[tuple[int, str], list[int]] = defaultdict(list)
    for org_id, office_id, services in PartnerOrganisation.objects.filter(active=True).values_list(
        "pk", "districts__pk", "services"
    ):
        for code in services or []:
            if office_id:
                orgs_by_office[(office_id, code)].append(org_id)
    measures = list(
        ProgrammeMeasure.objects.filter(
            programme__status=ProgrammeStatus.AGREED,
            status__in=(MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS),
            referrals__isnull=True,
        )
        .select_related("programme__case__office", "programme__case__officer")
        .order_by("pk")
    )
    weights = [w for _s, w in STATES]
    states = [s for s, _w in STATES]
    # Numbers go on from those already given (a second run, or referrals made in the pages).
    seq: dict[tuple[int, int], int] = defaultdict(int)
    for office_id, year, last in ReferralNumberSequence.objects.values_list("office_id", "year", "last"):
        seq[(office_id, year)] = last
    referrals: list[Referral] = []
    measure_changes: list[ProgrammeMeasure] = []
    escalated = overdue = 0
    for measure in measures:
        case = measure.programme.case
        choices = orgs_by_office.get((case.office_id, measure.measure))
        if not choices or case.officer is None or rng.random() < 0.3:
            continue
        status = rng.choices(states, weights)[0]
        sent_on = today - dt.timedelta(days=rng.randint(1, 45))
        answer_due = add_working_days(sent_on, int(params["answer_working_days"]))
        complete_due = sent_on + dt.timedelta(days=int(params["complete_days"]))
        seq[(case.office_id, sent_on.year)] += 1
        number = f"R-{case.office.code}-{sent_on.year}-{seq[(case.office_id, sent_on.year)]:05d}"
        r = Referral(
            measure=measure,
            organisation_id=rng.choice(choices),
            case=case,
            office=case.office,
            number=number,
            status=status,
            request=REQUESTS.get(measure.measure, measure.description or "Просим оказать помощь по программе."),
            share_phone=rng.random() < 0.4,
            created_by=case.officer,
        )
        if status != ReferralStatus.DRAFT:
            r.sent_at = _moment(sent_on)
            r.answer_due, r.complete_due = answer_due, complete_due
            r.rule_key, r.rule_version = params.key, params.version
        answered = min(sent_on + dt.timedelta(days=rng.randint(1, 6)), today)
        if status in (
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.COMPLETED,
            ReferralStatus.DECLINED,
        ):
            r.answered_at = _moment(answered, 15)
        if status == ReferralStatus.DECLINED:
            r.decline_reason = rng.choice(DECLINES)
        if status == ReferralStatus.COMPLETED:
            r.outcome, r.outcome_achieved = rng.choice(OUTCOMES)
            r.completed_at = _moment(min(answered + dt.timedelta(days=rng.randint(3, 25)), today), 16)
        late = (status == ReferralStatus.SENT and answer_due < today) or (
            status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS) and complete_due < today
        )
        if late:
            overdue += 1
            if rng.random() < 0.7:
                r.escalated_at = _moment(
                    max(answer_due if status == ReferralStatus.SENT else complete_due, sent_on) + dt.timedelta(days=1),
                    8,
                )
                escalated += 1
        referrals.append(r)
        if status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
            measure.status, measure.organisation_id = MeasureStatus.IN_PROGRESS, r.organisation_id
            measure_changes.append(measure)
        elif status == ReferralStatus.COMPLETED:
            measure.status = MeasureStatus.DONE if r.outcome_achieved else MeasureStatus.NOT_DONE
            measure.outcome, measure.outcome_on, measure.organisation_id = r.outcome, today, r.organisation_id
            measure_changes.append(measure)
        elif status == ReferralStatus.DECLINED:
            measure.status = MeasureStatus.PLANNED
            measure.outcome = f"Направление {number} отклонено: {r.decline_reason}"
            measure_changes.append(measure)
    Referral.objects.bulk_create(referrals, batch_size=BATCH)
    ProgrammeMeasure.objects.bulk_update(
        measure_changes, ["status", "outcome", "outcome_on", "organisation"], batch_size=BATCH
    )
    for (office, year), last in seq.items():
        ReferralNumberSequence.objects.update_or_create(office_id=office, year=year, defaults={"last": last})
    events = _events(referrals, today)
    moments = [e.at for e in events]  # auto_now_add stamps "now" on create: put each back at its day
    created = ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
    for event, moment in zip(created, moments, strict=True):
        event.at = moment
    ReferralEvent.objects.bulk_update(created, ["at"], batch_size=BATCH)
    return {"referrals": len(referrals), "overdue": overdue, "escalated": escalated}


def _events(referrals: list[Referral], today: dt.date) -> list[ReferralEvent]:
    """The history of each demo referral, as its state implies."""
    events: list[ReferralEvent] = []
    path = {
        ReferralStatus.DRAFT: ["draft"],
        ReferralStatus.SENT: ["draft", "sent"],
        ReferralStatus.ACCEPTED: ["draft", "sent", "accepted"],
        ReferralStatus.DECLINED: ["draft", "sent", "declined"],
        ReferralStatus.IN_PROGRESS: ["draft", "sent", "accepted", "in_progress"],
        ReferralStatus.COMPLETED: ["draft", "sent", "accepted", "in_progress", "completed"],
        ReferralStatus.CANCELLED: ["draft", "sent", "cancelled"],
    }
    for r in referrals:
        steps = path[ReferralStatus(r.status)]
        previous = ""
        sent = r.sent_at or _moment(today)
        answered = r.answered_at or sent + dt.timedelta(days=1)
        when = {
            "draft": sent - dt.timedelta(hours=2),
            "sent": sent,
            "accepted": answered,
            "declined": answered,
            "in_progress": answered + dt.timedelta(days=1),
            "completed": r.completed_at or answered + dt.timedelta(days=2),
            "cancelled": sent + dt.timedelta(days=2),
        }
        for step in steps:
            note = {
                "declined": r.decline_reason,
                "completed": r.outcome,
                "cancelled": "Человек сменил место жительства",
            }
            events.append(
                ReferralEvent(
                    referral=r,
                    from_status=previous,
                    to_status=step,
                    kind="transition",
                    note=note.get(step, ""),
                    actor=r.created_by if step in ("draft", "sent", "cancelled") else None,
                    at=when[step],
                )
            )
            previous = step
        if r.status == ReferralStatus.IN_PROGRESS:
            events.append(
                ReferralEvent(
                    referral=r,
                    kind="update",
                    note="Первая встреча состоялась, назначена следующая",
                    at=answered + dt.timedelta(days=3),
                )
            )
        if r.escalated_at is not None:
            events.append(
                ReferralEvent(
                    referral=r,
                    kind="escalation",
                    note="Срок прошёл без ответа: передано начальнику отдела",
                    at=r.escalated_at,
                )
            )
    return events

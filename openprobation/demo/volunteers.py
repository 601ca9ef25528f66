"""Demo volunteers and mentors: two to four per region serving one or two of its districts, with
their criminal-record checks and training (a few lapsing within the month, one lapsed), assigned
with consent to open cases of their districts (young people first), and the support sessions
logged over the recent months. Written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from openprobation.accounts.models import Office, Region, Role, User
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.demo.names import KK_FATHERS, KK_FEMALE, KK_MALE, KK_SURNAMES, RU_FEMALE, RU_MALE, RU_SURNAMES
from openprobation.demo.people import stream
from openprobation.programmes.models import PartnerOrganisation
from openprobation.volunteers.domain import check_rule, check_valid_until
from openprobation.volunteers.models import (
    SessionKind,
    SupportSession,
    Volunteer,
    VolunteerAssignment,
    VolunteerCheck,
    VolunteerKind,
    VolunteerStatus,
)

BATCH = 2000
SUMMARIES = [
    "Жұмыс іздеу туралы сөйлестік, түйіндеме жаздық.",
    "Колледжге құжат тапсыруға бірге бардық.",
    "Обсудили отношения в семье, договорились о занятиях спортом.",
    "Сопроводил в центр занятости населения, встал на учёт.",
    "Телефонмен сөйлестік, көңіл-күйі жақсы.",
    "Помог подготовиться к собеседованию.",
    "Спорт секциясына жазылуға көмектестім.",
    "Встреча в кафе рядом с домом: учёба, планы на лето.",
]
PLACES = ["Жастар орталығы", "Молодёжный ресурсный центр", "Кітапхана", "Дом подопечного", ""]
CONSENT = [
    "Жазбаша келісім, жеке іске тігілді",
    "Письменное согласие, подшито в личное дело",
    "Заңды өкілінің жазбаша келісімімен",
    "Письменное согласие подопечного и законного представителя",
]
KIND_WEIGHTS = [(SessionKind.MEETING, 6), (SessionKind.PHONE, 3), (SessionKind.ACCOMPANYING, 2), (SessionKind.OTHER, 1)]


def _name(rng: random.Random) -> str:
    if rng.random() < 0.65:
        female = rng.random() < 0.5
        surname = rng.choice(KK_SURNAMES) + ("а" if female else "")
        father = rng.choice(KK_FATHERS)[0] + ("қызы" if female else "ұлы")
        return f"{surname} {rng.choice(KK_FEMALE if female else KK_MALE)} {father}"
    female = rng.random() < 0.5
    surname = rng.choice(RU_SURNAMES) + ("а" if female else "")
    return f"{surname} {rng.choice(RU_FEMALE if female else RU_MALE)}"


def _manager(office_ids: list[int]) -> User | None:
    staff = User.objects.filter(is_active=True)
    return (
        staff.filter(role=Role.HEAD_OF_OFFICE, office_id__in=office_ids).order_by("pk").first()
        or staff.filter(role=Role.SENIOR_OFFICER, office_id__in=office_ids).order_by("pk").first()
        or staff.filter(office_id__in=office_ids).order_by("pk").first()
    )


def _checks(rng: random.Random, volunteer: Volunteer, by: User, today: dt.date, fate: str) -> list[VolunteerCheck]:
    current = check_rule(today)
    kinds = list(current.required) + (["interview"] if rng.random() < 0.5 else [])
    rows = []
    for i, kind in enumerate(dict.fromkeys(kinds)):
        age = rng.randint(30, 300)
        if fate == "lapsing" and i == 0:
            age = 365 - rng.randint(5, 25)  # lapses within the month
        elif fate == "lapsed" and i == 0:
            age = 365 + rng.randint(3, 20)
        on = today - dt.timedelta(days=age)
        rows.append(
            VolunteerCheck(
                volunteer=volunteer,
                kind=kind,
                passed=True,
                on=on,
                valid_until=check_valid_until(on, valid_months=current.valid_months),
                reference=f"№ {rng.randint(100, 9999)}/{on.year}",
                rule_key=current.key,
                rule_version=current.version,
                recorded_by=by,
            )
        )
    return rows


def _sessions(rng: random.Random, assignment: VolunteerAssignment, by: User, today: dt.date) -> list[SupportSession]:
    rows = []
    day = assignment.started_on + dt.timedelta(days=rng.randint(2, 7))
    kinds, weights = zip(*KIND_WEIGHTS, strict=True)
    while day < today:
        kind = rng.choices(kinds, weights=weights)[0]
        rows.append(
            SupportSession(
                assignment=assignment,
                held_on=day,
                minutes=15 if kind == SessionKind.PHONE else rng.choice([45, 60, 90, 120]),
                kind=kind,
                place="" if kind == SessionKind.PHONE else rng.choice(PLACES),
                summary=rng.choice(SUMMARIES),
                logged_by=by,
            )
        )
        day += dt.timedelta(days=rng.randint(7, 16))
    return rows


def _candidates(office_ids: list[int], today: dt.date) -> list[Case]:
    """Open cases of the districts, the youngest people first (mentoring suits them most)."""
    return list(
        Case.objects.filter(
            office_id__in=office_ids, status__in=OPEN_STATUSES, officer__isnull=False, received_on__lte=today
        )
        .select_related("person", "officer")
        .order_by("-person__birth_date", "pk")[:12]
    )


def seed_volunteers(*, seed: int, today: dt.date) -> dict[str, int]:
    rng = stream(seed, "volunteers")
    volunteers: list[Volunteer] = []
    plans: list[tuple[Volunteer, list[int], User, str]] = []
    for region in Region.objects.order_by("code"):
        office_ids = list(Office.objects.filter(region=region).order_by("code").values_list("pk", flat=True))
        if not office_ids:
            continue
        ngos = list(PartnerOrganisation.objects.filter(region=region, kind="ngo").order_by("pk"))
        for _n in range(rng.randint(2, 4)):
            served = rng.sample(office_ids, k=min(len(office_ids), rng.choice([1, 1, 2])))
            by = _manager(served)
            if by is None:
                continue
            fate = rng.choices(["fine", "lapsing", "lapsed", "suspended"], weights=[14, 3, 1, 1])[0]
            volunteer = Volunteer(
                full_name=_name(rng),
                phone=f"+7 70{rng.randint(0, 8)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                languages=rng.choice([["kk", "ru"], ["kk"], ["ru"], ["kk", "ru", "en"]]),
                region=region,
                kind=VolunteerKind.MENTOR if rng.random() < 0.4 else VolunteerKind.VOLUNTEER,
                organisation=rng.choice(ngos) if ngos and rng.random() < 0.5 else None,
                status=VolunteerStatus.SUSPENDED if fate == "suspended" else VolunteerStatus.ACTIVE,
                registered_by=by,
                note=rng.choice(["", "Студент, педагогика мамандығы", "Бывший сотрудник полиции", "Жаттықтырушы"]),
            )
            volunteers.append(volunteer)
            plans.append((volunteer, served, by, fate))
    Volunteer.objects.bulk_create(volunteers, batch_size=BATCH)
    through: Any = Volunteer.offices.through
    through.objects.bulk_create(
        [through(volunteer_id=v.pk, office_id=o) for v, served, _by, _f in plans for o in served], batch_size=BATCH
    )
    checks: list[VolunteerCheck] = []
    assignments: list[VolunteerAssignment] = []
    taken: set[int] = set()
    current = check_rule(today)
    for volunteer, served, by, fate in plans:
        own = _checks(rng, volunteer, by, today, fate)
        checks.extend(own)
        if fate == "suspended":
            continue
        ready = max(c.on for c in own) + dt.timedelta(days=rng.randint(3, 20))
        for case in [c for c in _candidates(served, today) if c.pk not in taken][: rng.randint(1, 3)]:
            started = max(ready, case.received_on) + dt.timedelta(days=rng.randint(0, 10))
            if started > today or (fate == "lapsed" and started > min(c.valid_until for c in own)):
                continue
            taken.add(case.pk)
            assignments.append(
                VolunteerAssignment(
                    volunteer=volunteer,
                    case=case,
                    consent_on=started - dt.timedelta(days=rng.randint(0, 3)),
                    consent_note=rng.choice(CONSENT),
                    started_on=started,
                    assigned_by=case.officer or by,
                    rule_key=current.key,
                    rule_version=current.version,
                )
            )
    VolunteerCheck.objects.bulk_create(checks, batch_size=BATCH)
    VolunteerAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    sessions: list[SupportSession] = []
    for assignment in assignments:
        sessions.extend(_sessions(rng, assignment, assignment.assigned_by, today))
    SupportSession.objects.bulk_create(sessions, batch_size=BATCH)
    return {
        "volunteers": len(volunteers),
        "volunteer_checks": len(checks),
        "volunteer_assignments": len(assignments),
        "support_sessions": len(sessions),
    }

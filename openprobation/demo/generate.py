"""Believable, deterministic demo data for the whole country (``openprobation seed-demo``).

Everything is drawn from ``random.Random`` streams derived from one seed, so the same seed gives
the same regions, staff, names, IINs and, for the same reference date, the same case dates. Rows
are written with ``bulk_create`` in batches inside one transaction; the legal values of a case
(control period, registration deadline, pre-trial eligibility) come from ``cases.legal`` so they
agree with what the services would compute. Generated history is not audited row by row; one
``demo.seed`` event summarises the run.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from openprobation.accounts.models import Office, Region, Role, User
from openprobation.accounts.roles import sync_roles
from openprobation.audit.services import audit_record
from openprobation.cases import legal
from openprobation.cases.models import (
    Case,
    CaseAllocation,
    CaseNumberSequence,
    CaseStatus,
    CaseStatusChange,
    CaseTransfer,
    CaseType,
    CourtDecision,
    DecisionKind,
    SentenceKind,
)
from openprobation.cases.terms import apply_decisions
from openprobation.demo.assessments import seed_assessments
from openprobation.demo.conditions import seed_conditions
from openprobation.demo.credentials import DEMO_PASSWORD, DEMO_USERNAMES
from openprobation.demo.employment import seed_employment
from openprobation.demo.enforcement import seed_enforcement
from openprobation.demo.labour import seed_labour
from openprobation.demo.monitoring import seed_monitoring
from openprobation.demo.names import (
    CC_ARTICLES,
    INSTITUTIONS,
    REGIONS,
    STATUS_REASONS,
    STREETS,
    District,
    RegionData,
)
from openprobation.demo.notifications import add_demo_messages
from openprobation.demo.partners import seed_partners, seed_referrals
from openprobation.demo.people import (
    CHUNK,
    OfficeInfo,
    PersonDraft,
    people_drafts,
    person_name,
    stream,
)
from openprobation.demo.programmes import seed_programmes
from openprobation.demo.releases import seed_releases
from openprobation.demo.supervision import seed_supervision
from openprobation.demo.volunteers import seed_volunteers
from openprobation.people.models import (
    Address,
    FamilyMember,
    IdentityDocument,
    Person,
)
from openprobation.people.translit import to_latin

BATCH = 2000
# Birth dates are drawn back from a fixed day so names and IINs do not change with the run date.
HISTORY_DAYS = 3 * 365


@dataclass(frozen=True)
class DemoSize:
    regions: int
    offices: int
    staff: int
    people: int
    cases: int
    active: int


SCALES = {
    "default": DemoSize(regions=3, offices=10, staff=50, people=3000, cases=3500, active=2100),
    "large": DemoSize(regions=20, offices=200, staff=1400, people=100_000, cases=45_000, active=30_000),
}


def size_for(scale: str, *, people: int | None = None, cases: int | None = None, active: int | None = None) -> DemoSize:
    """The size of a scale, with the population optionally overridden (``--people``, ``--cases``)."""
    base = SCALES[scale]
    n_people = base.people if people is None else people
    n_cases = base.cases if cases is None else cases
    if active is None:
        active = base.active if cases is None else round(n_cases * base.active / base.cases)
    return DemoSize(
        regions=base.regions,
        offices=base.offices,
        staff=base.staff,
        people=n_people,
        cases=min(n_cases, 2 * n_people),
        active=min(active, n_cases),
    )


def _office_plan(size: DemoSize) -> list[tuple[RegionData, District]]:
    """The offices of a size: the named districts first, then numbered city offices round the regions."""
    regions = REGIONS[: size.regions]
    plan = [(region, district) for region in regions for district in region.districts]
    extra = 0
    while len(plan) < size.offices:
        region = regions[extra % len(regions)]
        number = extra // len(regions) + 1
        city_kk, city_ru, city_en = region.city
        plan.append(
            (region, (f"{city_kk} № {number}", f"{city_ru} № {number}", f"{city_en} No. {number}", city_kk, city_ru))
        )
        extra += 1
    return plan[: size.offices]


def office_infos(size: DemoSize) -> list[tuple[OfficeInfo, District]]:
    out = []
    counters: Counter[str] = Counter()
    for region, district in _office_plan(size):
        counters[region.code] += 1
        numbered = "№" in district[1]
        out.append(
            (
                OfficeInfo(
                    code=f"{region.code}-{counters[region.code]:02d}",
                    region_code=region.code,
                    region_kk=region.kk,
                    region_ru=region.ru,
                    locality_kk=district[3],
                    locality_ru=district[4],
                    postcode=region.postcode,
                    court=f"Межрайонный суд, {district[4]}" if numbered else f"Районный суд: {district[1]}",
                ),
                district,
            )
        )
    return out


@dataclass
class Org:
    offices: list[Office]
    infos: list[OfficeInfo]
    caseworkers: dict[int, list[User]]  # office id -> officers and senior officers, demo officer first
    heads: dict[int, User]


def create_org(*, size: DemoSize, seed: int) -> Org:
    rng = stream(seed, "org")
    regions = REGIONS[: size.regions]
    region_objs = Region.objects.bulk_create(
        [Region(code=r.code, name_kk=r.kk, name_ru=r.ru, name_en=r.en) for r in regions]
    )
    by_code = {r.code: r for r in region_objs}
    planned = office_infos(size)
    office_objs: list[Office] = []
    for info, (n_kk, n_ru, n_en, _loc_kk, _loc_ru) in planned:
        office_objs.append(
            Office(
                region=by_code[info.region_code],
                code=info.code,
                name_kk=f"{n_kk} пробация қызметі",
                name_ru=f"Служба пробации: {n_ru}",
                name_en=f"{n_en} probation office",
                address=f"{info.locality_ru}, {rng.choice(STREETS)[1]}, {rng.randint(1, 120)}",
                phone=f"+7 7{rng.randint(10, 29)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                officer_capacity=40,
            )
        )
    offices = Office.objects.bulk_create(office_objs)
    password = make_password(DEMO_PASSWORD)  # hashed once: every demo and generated login shares it
    used: set[str] = set()

    def user(username: str, role: str, *, office: Office | None = None, region: Region | None = None) -> User:
        sex = "M" if rng.random() < 0.45 else "F"
        surname, first, patronymic, _lang = person_name(rng, sex)
        if not username:
            base = f"{to_latin(first)[:1]}.{to_latin(surname)}".lower().replace("'", "")
            username, n = base, 1
            while username in used or username in DEMO_USERNAMES:
                n += 1
                username = f"{base}{n}"
        used.add(username)
        return User(
            username=username,
            password=password,
            first_name=first,
            last_name=surname,
            patronymic=patronymic,
            role=role,
            office=office,
            region=region,
            is_staff=role == Role.SYSTEM_ADMIN,
            language=rng.choice(["kk", "ru", "ru", "en"]),
        )

    home = offices[0]
    staff = [
        user("officer", Role.OFFICER, office=home),
        user("senior", Role.SENIOR_OFFICER, office=home),
        user("head", Role.HEAD_OF_OFFICE, office=home),
        user("regional", Role.REGIONAL_ADMIN, region=home.region),
        user("court", Role.COURT_LIAISON, office=home),
        user("monitoring", Role.MONITORING_OPERATOR),
        user("partner", Role.PARTNER_STAFF),
        user("analyst", Role.ANALYST),
        user("auditor", Role.AUDITOR),
        user("admin", Role.SYSTEM_ADMIN),
    ]
    staff += [user("", Role.HEAD_OF_OFFICE, office=o) for o in offices[1:]]
    staff += [user("", Role.REGIONAL_ADMIN, region=r) for r in region_objs[1:]]
    remaining = max(size.staff - len(staff), 0)
    for i in range(remaining):
        office = offices[(i + 1) % len(offices)]
        staff.append(user("", Role.SENIOR_OFFICER if i % 4 == 3 else Role.OFFICER, office=office))
    User.objects.bulk_create(staff, batch_size=BATCH)
    sync_roles()
    return load_org()


def load_org() -> Org:
    """The demo organisation as stored (also used to add a population to an existing demo database)."""
    offices = list(Office.objects.select_related("region").order_by("id"))
    known = {info.code: info for info, _d in office_infos(SCALES["large"])}
    infos = []
    for office in offices:
        info = known.get(office.code)
        if info is None:
            info = OfficeInfo(
                code=office.code,
                region_code=office.region.code,
                region_kk=office.region.name_kk,
                region_ru=office.region.name_ru,
                locality_kk=office.name_kk,
                locality_ru=office.name_ru,
                postcode="0100",
                court=f"Районный суд: {office.name_ru}",
            )
        infos.append(info)
    caseworkers: dict[int, list[User]] = {o.pk: [] for o in offices}
    heads: dict[int, User] = {}
    for u in User.objects.filter(office__isnull=False, is_active=True).order_by("id"):
        assert u.office_id is not None  # noqa: S101 - filtered on office above
        if u.role in (Role.OFFICER, Role.SENIOR_OFFICER):
            caseworkers[u.office_id].append(u)
        elif u.role == Role.HEAD_OF_OFFICE:
            heads[u.office_id] = u
    for office in offices:
        if not caseworkers[office.pk] and office.pk in heads:
            caseworkers[office.pk].append(heads[office.pk])
    return Org(offices=offices, infos=infos, caseworkers=caseworkers, heads=heads)


# --- Cases -------------------------------------------------------------------------------------

OTHER_STATUS_SHARES = [
    (CaseStatus.AWAITING_REGISTRATION, 14),
    (CaseStatus.REGISTERED, 8),
    (CaseStatus.SUSPENDED, 4),
    (CaseStatus.WANTED, 4),
    (CaseStatus.COMPLETED, 45),
    (CaseStatus.REVOKED, 9),
    (CaseStatus.TRANSFERRED, 4),
    (CaseStatus.CLOSED, 12),
]
OPEN = {
    CaseStatus.AWAITING_REGISTRATION,
    CaseStatus.REGISTERED,
    CaseStatus.ACTIVE,
    CaseStatus.SUSPENDED,
    CaseStatus.WANTED,
}
SENTENCE_KINDS = [
    (SentenceKind.CONDITIONAL, 40),
    (SentenceKind.RESTRICTION_OF_LIBERTY, 25),
    (SentenceKind.PAROLE, 10),
    (SentenceKind.CORRECTIONAL_LABOUR, 8),
    (SentenceKind.COMMUNITY_SERVICE, 7),
    (SentenceKind.DEPRIVATION_OF_RIGHT, 5),
    (SentenceKind.DEFERRAL, 5),
]
TERM_MONTHS = {
    SentenceKind.CONDITIONAL: (6, 60),
    SentenceKind.RESTRICTION_OF_LIBERTY: (6, 84),
    SentenceKind.PAROLE: (3, 36),
    SentenceKind.CORRECTIONAL_LABOUR: (2, 24),
    SentenceKind.COMMUNITY_SERVICE: (2, 12),
    SentenceKind.DEPRIVATION_OF_RIGHT: (12, 60),
    SentenceKind.DEFERRAL: (12, 60),
}


def status_pool(rng: random.Random, *, stories: int, active: int) -> list[str]:
    """Exactly ``active`` active final statuses; the rest spread over every other status."""
    active = min(active, stories)
    rest = stories - active
    total = sum(w for _s, w in OTHER_STATUS_SHARES)
    pool = [CaseStatus.ACTIVE.value] * active
    for status, weight in OTHER_STATUS_SHARES:
        pool += [status.value] * (rest * weight // total)
    while len(pool) < stories:
        pool.append(OTHER_STATUS_SHARES[len(pool) % len(OTHER_STATUS_SHARES)][0].value)
    rng.shuffle(pool)
    return pool


@dataclass
class CaseDraft:
    case: Case
    path: list[tuple[str, dt.date]]  # the status history, oldest first
    transfer_to: int | None = None  # office index the case moved to
    opened_in: Office | None = None


def _pretrial_candidate(person: Person, today: dt.date) -> bool:
    age = person.age_on(today)
    return (
        age < 18
        or person.disability_group > 0
        or person.pregnant
        or (person.sex == "F" and age >= 58)
        or (person.sex == "M" and age >= 63)
    )


def _days(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, max(low, high))


def _window(rng: random.Random, status: str, today: dt.date, duration: int) -> tuple[dt.date, dt.date | None]:
    """(start, closed_on) for a case lasting ``duration`` days that ends in ``status`` today."""
    if status == CaseStatus.AWAITING_REGISTRATION:
        return today - dt.timedelta(days=_days(rng, 8, 35)), None
    if status == CaseStatus.REGISTERED:
        return today - dt.timedelta(days=_days(rng, 12, 50)), None
    if status in OPEN:
        elapsed = _days(rng, 20, min(duration - 10, HISTORY_DAYS))
        return today - dt.timedelta(days=elapsed), None
    if status == CaseStatus.COMPLETED:
        elapsed = _days(rng, duration + 5, HISTORY_DAYS)
        start = today - dt.timedelta(days=elapsed)
        return start, min(start + dt.timedelta(days=duration + rng.randint(0, 3)), today)
    elapsed = _days(rng, 60, HISTORY_DAYS)
    start = today - dt.timedelta(days=elapsed)
    return start, start + dt.timedelta(days=_days(rng, 20, min(duration, elapsed) - 5))


def _path(
    rng: random.Random, status: str, received: dt.date, closed: dt.date | None, today: dt.date
) -> list[tuple[str, dt.date]]:
    path = [(CaseStatus.AWAITING_REGISTRATION.value, received)]
    if status == CaseStatus.AWAITING_REGISTRATION:
        return path
    if status == CaseStatus.CLOSED and rng.random() < 0.3:
        return [*path, (status, closed or today)]
    registered = min(received + dt.timedelta(days=rng.randint(1, 9)), closed or today, today)
    path.append((CaseStatus.REGISTERED.value, registered))
    if status == CaseStatus.REGISTERED:
        return path
    path.append((CaseStatus.ACTIVE.value, registered))
    if status == CaseStatus.ACTIVE:
        return path
    end = closed or today
    change = registered + dt.timedelta(days=_days(rng, 0, (end - registered).days)) if closed is None else end
    path.append((status, max(change, registered)))
    return path


def _legal_basis(rng: random.Random, case: Case, office: OfficeInfo, received: dt.date) -> None:
    case.effective_date = received - dt.timedelta(days=rng.randint(1, 7))
    case.decision_date = case.effective_date - dt.timedelta(days=rng.randint(10, 15))
    case.court = office.court
    case.decision_number = f"1-{rng.randint(100, 9999)}/{case.decision_date.year}"
    case.cc_articles = rng.choices([a for a, _w in CC_ARTICLES], weights=[w for _a, w in CC_ARTICLES])[0]


def _sentence_case(rng: random.Random, person: Person, office: OfficeInfo, status: str, today: dt.date) -> CaseDraft:
    kind = rng.choices([k for k, _w in SENTENCE_KINDS], weights=[w for _k, w in SENTENCE_KINDS])[0]
    low, high = TERM_MONTHS[kind]
    if status == CaseStatus.COMPLETED:
        high = min(high, 30)
    months = rng.randint(low, high)
    control_months = None
    minor = person.age_on(today) < 18
    if kind == SentenceKind.CONDITIONAL and minor != (person.age_on(today - dt.timedelta(days=HISTORY_DAYS + 60)) < 18):
        # turned 18 within the period: keep the demo simple and give a sentence without a minor's rule
        kind = SentenceKind.CORRECTIONAL_LABOUR
        low, high = TERM_MONTHS[kind]
        months = rng.randint(low, high)
    if kind == SentenceKind.CONDITIONAL and minor:
        control_months = rng.randint(6, 12)
    base = control_months or months
    # months are 28-31 days: open cases must still be under control today, finished ones over
    duration = base * 28 if status in OPEN else base * 31 + 1
    start, closed = _window(rng, status, today, duration)
    received = (
        start + dt.timedelta(days=rng.randint(1, 7))
        if status
        in OPEN
        - {
            CaseStatus.AWAITING_REGISTRATION,
            CaseStatus.REGISTERED,
        }
        else start
    )
    received = min(received, today)
    case = Case(case_type=CaseType.SENTENCE, sentence_kind=kind, term_months=months, control_months=control_months)
    _legal_basis(rng, case, office, received)
    assert case.decision_date is not None  # noqa: S101 - set by _legal_basis just above
    if kind == SentenceKind.RESTRICTION_OF_LIBERTY:
        floor = int(legal.rule("sentence.restriction_of_liberty.term", on=case.decision_date)["min_months"])
        case.term_months = max(months, floor)
    if kind == SentenceKind.PAROLE:
        case.release_date = case.effective_date  # released on the day the parole ruling took effect
    if kind == SentenceKind.COMMUNITY_SERVICE:
        case.term_months, case.term_hours = None, rng.choice([60, 120, 180, 240])
    period = legal.control_period(
        person=person,
        sentence_kind=kind,
        decision_date=case.decision_date,
        effective_date=case.effective_date,
        term_months=case.term_months,
        term_days=0,
        control_months=control_months,
        release_date=case.release_date,
        term_hours=case.term_hours,
    )
    if period is not None:
        case.control_start, case.control_end = period.start, period.end
        case.ordered_control_start, case.ordered_control_end = period.start, period.end
        case.control_rule_key, case.control_rule_version = period.rule_key, period.rule_version
    if kind == SentenceKind.DEFERRAL:
        case.release_date = received
        if status != CaseStatus.AWAITING_REGISTRATION and not (status == CaseStatus.WANTED and rng.random() < 0.5):
            case.appeared_on = min(received + dt.timedelta(days=rng.randint(0, 6)), today)
    case.received_on = received
    return CaseDraft(case=case, path=_path(rng, status, received, closed, today))


def _pretrial_case(rng: random.Random, person: Person, status: str, today: dt.date) -> CaseDraft | None:
    start, closed = _window(rng, status, today, rng.randint(60, 240))
    measure = rng.choice(["none", "undertaking", "undertaking", "personal_surety", "bail"])
    consent = start - dt.timedelta(days=rng.randint(0, 3))
    decision = legal.pretrial_eligibility(person=person, restraint_measure=measure, consent_date=consent, on=start)
    if not decision.eligible:
        return None
    case = Case(
        case_type=CaseType.PRE_TRIAL,
        received_on=start,
        restraint_measure=measure,
        consent_given=True,
        consent_date=consent,
        eligibility=decision.as_json(),
        court=rng.choice(["Следственное управление ДП", "Прокуратура района", "Районный суд"]),
    )
    return CaseDraft(case=case, path=_path(rng, status, start, closed, today))


def _prison_case(rng: random.Random, office: OfficeInfo, case_type: str, status: str, today: dt.date) -> CaseDraft:
    case = Case(case_type=case_type, institution=rng.choice(INSTITUTIONS))
    if case_type == CaseType.PENITENTIARY:
        start, closed = _window(rng, status, today, rng.randint(120, 190))
        release = (closed or today) + dt.timedelta(days=0 if closed else rng.randint(10, 180))
        case.sentence_kind = SentenceKind.IMPRISONMENT
    else:
        start, closed = _window(rng, status, today, rng.randint(180, 720))
        release = start - dt.timedelta(days=rng.randint(0, 5))
        case.sentence_kind = rng.choice([SentenceKind.IMPRISONMENT, SentenceKind.PAROLE, ""])
        if status not in (CaseStatus.AWAITING_REGISTRATION, CaseStatus.WANTED):
            case.appeared_on = min(start + dt.timedelta(days=rng.randint(0, 5)), today)
    _legal_basis(rng, case, office, start)
    assert case.decision_date is not None  # noqa: S101 - set by _legal_basis just above
    case.decision_date -= dt.timedelta(days=rng.randint(365, 2500))  # the original sentence
    case.effective_date = case.decision_date + dt.timedelta(days=15)
    case.term_months = rng.randint(24, 120)
    case.release_date = release
    case.received_on = start
    return CaseDraft(case=case, path=_path(rng, status, start, closed, today))


def story(
    rng: random.Random, *, person: Person, office: OfficeInfo, status: str, chained: bool, today: dt.date
) -> list[CaseDraft]:
    """One person's cases, oldest first; the last one ends in ``status``."""
    eligible = _pretrial_candidate(person, today)
    if eligible and rng.random() < (0.6 if chained else 0.4):
        last = _sentence_case(rng, person, office, status, today) if chained else None
        anchor = last.case.decision_date if last and last.case.decision_date else today
        first_status = CaseStatus.COMPLETED if chained else status
        pre = _pretrial_case(rng, person, first_status, anchor if chained else today)
        if pre is not None and last is not None:
            return [pre, last]
        if pre is not None:
            return [pre]
    if chained and rng.random() < 0.5:
        # penitentiary probation before release, then post-penitentiary after it
        post = _prison_case(rng, office, CaseType.POST_PENITENTIARY, status, today)
        release = post.case.release_date or today
        pen = _prison_case(rng, office, CaseType.PENITENTIARY, CaseStatus.COMPLETED, release)
        pen.case.release_date = release
        pen.case.received_on = release - dt.timedelta(days=rng.randint(120, 190))
        pen.path = _path(rng, CaseStatus.COMPLETED, pen.case.received_on, release, release)
        return [pen, post]
    if chained:
        # an earlier sentence served, then a new one
        last = _sentence_case(rng, person, office, status, today)
        earlier = last.case.received_on - dt.timedelta(days=rng.randint(30, 400))
        return [_sentence_case(rng, person, office, CaseStatus.COMPLETED, earlier), last]
    roll = rng.random()
    if roll < 0.80:
        return [_sentence_case(rng, person, office, status, today)]
    if roll < 0.90:
        return [_prison_case(rng, office, CaseType.PENITENTIARY, status, today)]
    return [_prison_case(rng, office, CaseType.POST_PENITENTIARY, status, today)]


def _finish(draft: CaseDraft, today: dt.date) -> None:
    """Status, dates and the registration deadline, as the services would have set them."""
    case = draft.case
    status, changed = draft.path[-1]
    case.status = status
    case.status_changed_at = _moment(changed)
    statuses = [s for s, _d in draft.path]
    if CaseStatus.REGISTERED in statuses:
        case.registered_on = draft.path[statuses.index(CaseStatus.REGISTERED)][1]
    if status not in OPEN:
        case.closed_on = changed
    deadline = legal.registration_deadline(
        sentence_kind=case.sentence_kind,
        received_on=case.received_on,
        release_date=case.release_date,
        appeared_on=case.appeared_on,
    )
    case.registration_due = deadline.due
    case.registration_rule_key, case.registration_rule_version = deadline.rule_key, deadline.rule_version
    case.created_at = _moment(case.received_on)
    case.updated_at = case.status_changed_at


def _moment(day: dt.date) -> dt.datetime:
    # 10:00 in Almaty (UTC+5) as an aware UTC datetime
    return dt.datetime.combine(day, dt.time(5, 0), tzinfo=dt.UTC)


# --- Writing -----------------------------------------------------------------------------------


@contextmanager
def historic_timestamps() -> Iterator[None]:
    """Let generated rows keep their historic times instead of "now" (auto_now/auto_now_add)."""
    touched: list[tuple[Any, str, bool]] = []
    for model in (
        Person,
        Address,
        IdentityDocument,
        FamilyMember,
        Case,
        CaseStatusChange,
        CaseAllocation,
        CaseTransfer,
        CourtDecision,
    ):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField | models.DateField):
                for attr in ("auto_now", "auto_now_add"):
                    if getattr(f, attr):
                        touched.append((f, attr, True))
                        setattr(f, attr, False)
    try:
        yield
    finally:
        for f, attr, value in touched:
            setattr(f, attr, value)


@dataclass
class Summary:
    people: int = 0
    cases: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    types: Counter[str] = field(default_factory=Counter)
    transfers: int = 0
    staff: int = 0
    offices: int = 0

    def as_details(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "cases": self.cases,
            "by_status": dict(sorted(self.statuses.items())),
            "by_type": dict(sorted(self.types.items())),
            "transfers": self.transfers,
            "staff": self.staff,
            "offices": self.offices,
        }


def add_population(
    *,
    org: Org,
    seed: int,
    people: int,
    cases: int,
    active: int,
    today: dt.date,
    progress: Callable[[int], object] | None = None,
    label: str = "population",
) -> Summary:
    """Add ``people`` people and ``cases`` cases (``active`` of them active) to the organisation."""
    rng = stream(seed, f"{label}:plan")
    chained_count = max(cases - people, round(cases * 0.1)) if cases else 0
    stories = max(cases - chained_count, 0)
    chained = set(rng.sample(range(stories), min(chained_count, stories)))
    pool = status_pool(rng, stories=stories, active=active)
    used_iins = {iin for iin in Person.objects.exclude(iin=None).values_list("iin", flat=True) if iin}
    sequences = {(s.office_id, s.year): s.last for s in CaseNumberSequence.objects.all()}
    summary = Summary()
    drafts = people_drafts(seed=seed, count=people, offices=org.infos, used_iins=used_iins, label=label)
    index = 0
    while index < people:
        chunk = [d for _i, d in zip(range(CHUNK), drafts, strict=False)]
        if not chunk:
            break
        case_rng = stream(seed, f"{label}:cases:{index}")
        plans: list[tuple[PersonDraft, list[CaseDraft]]] = []
        for offset, pdraft in enumerate(chunk):
            n = index + offset
            pdraft.person.registered_office = org.offices[pdraft.office_index]
            pdraft.person.created_at = pdraft.person.updated_at = timezone.now()
            story_cases: list[CaseDraft] = []
            if n < stories:
                story_cases = story(
                    case_rng,
                    person=pdraft.person,
                    office=org.infos[pdraft.office_index],
                    status=pool[n],
                    chained=n in chained,
                    today=today,
                )
                first = min(c.case.received_on for c in story_cases)
                pdraft.person.created_at = _moment(first)
                pdraft.person.updated_at = pdraft.person.created_at
            plans.append((pdraft, story_cases))
        _write_chunk(case_rng, org=org, plans=plans, sequences=sequences, summary=summary, today=today)
        index += len(chunk)
        if progress:
            progress(len(chunk))
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(office_id=o, year=y, last=last) for (o, y), last in sequences.items()],
        update_conflicts=True,
        unique_fields=["office", "year"],
        update_fields=["last"],
        batch_size=BATCH,
    )
    return summary


def _write_chunk(
    rng: random.Random,
    *,
    org: Org,
    plans: list[tuple[PersonDraft, list[CaseDraft]]],
    sequences: dict[tuple[int, int], int],
    summary: Summary,
    today: dt.date,
) -> None:
    persons = Person.objects.bulk_create([p.person for p, _c in plans], batch_size=BATCH)
    summary.people += len(persons)
    addresses, documents, family = [], [], []
    for pdraft, _cases in plans:
        rows: list[Address | IdentityDocument | FamilyMember] = [*pdraft.addresses, *pdraft.documents, *pdraft.family]
        for row in rows:
            row.person = pdraft.person
            row.created_at = row.updated_at = pdraft.person.created_at
        addresses += pdraft.addresses
        documents += pdraft.documents
        family += pdraft.family
    Address.objects.bulk_create(addresses, batch_size=BATCH)
    IdentityDocument.objects.bulk_create(documents, batch_size=BATCH)
    FamilyMember.objects.bulk_create(family, batch_size=BATCH)

    all_cases: list[CaseDraft] = []
    for pdraft, story_cases in plans:
        for draft in story_cases:
            case = draft.case
            case.person = pdraft.person
            home = org.offices[pdraft.office_index]
            case.office = home
            _finish(draft, today)
            if (
                case.status in OPEN - {CaseStatus.AWAITING_REGISTRATION}
                and len(org.offices) > 1
                and rng.random() < 0.015
            ):
                draft.transfer_to = (pdraft.office_index + rng.randint(1, len(org.offices) - 1)) % len(org.offices)
            all_cases.append(draft)
    all_cases.sort(key=lambda d: (d.case.received_on, d.case.person.pk))
    for draft in all_cases:
        case = draft.case
        key = (case.office.pk, case.received_on.year)
        sequences[key] = sequences.get(key, 0) + 1
        case.number = f"{case.office.code}-{case.received_on.year}-{sequences[key]:05d}"
        opened_in = case.office
        if draft.transfer_to is not None:
            case.office = org.offices[draft.transfer_to]
            draft.opened_in = opened_in
        workers = org.caseworkers.get(case.office.pk) or []
        if workers and (case.status != CaseStatus.AWAITING_REGISTRATION or rng.random() < 0.5):
            case.officer = workers[rng.randrange(len(workers))]
    extensions = [_extension(d.case, today) for d in all_cases]
    Case.objects.bulk_create([d.case for d in all_cases], batch_size=BATCH)
    CourtDecision.objects.bulk_create([e for e in extensions if e is not None], batch_size=BATCH)
    history, allocations, transfers = [], [], []
    for draft in all_cases:
        case = draft.case
        prev = ""
        for status, on in draft.path:
            history.append(
                CaseStatusChange(
                    case=case,
                    from_status=prev,
                    to_status=status,
                    reason=STATUS_REASONS.get(status, "") if prev else "Дело открыто",
                    effective_on=on,
                    at=_moment(on),
                )
            )
            prev = status
        summary.statuses[case.status] += 1
        summary.types[case.case_type] += 1
        alloc_on = case.registered_on or case.received_on
        if draft.opened_in is not None:
            moved_on = min(alloc_on + dt.timedelta(days=rng.randint(10, 90)), today)
            transfers.append(
                CaseTransfer(
                    case=case,
                    from_office=draft.opened_in,
                    to_office=case.office,
                    reason="Смена места жительства",
                    at=_moment(moved_on),
                    by=org.heads.get(draft.opened_in.pk),
                )
            )
            summary.transfers += 1
            alloc_on = moved_on
        if case.officer is not None:
            allocations.append(
                CaseAllocation(
                    case=case,
                    officer=case.officer,
                    reason="Распределение при постановке на учёт",
                    at=_moment(alloc_on),
                    by=org.heads.get(case.office.pk),
                )
            )
    CaseStatusChange.objects.bulk_create(history, batch_size=BATCH)
    CaseAllocation.objects.bulk_create(allocations, batch_size=BATCH)
    CaseTransfer.objects.bulk_create(transfers, batch_size=BATCH)
    summary.cases += len(all_cases)


def _extension(case: Case, today: dt.date) -> CourtDecision | None:
    """About one active conditional sentence in twenty had its control extended by the court (the
    decision and the derived end, as ``court_decision_record`` would leave them). Drawn from the
    case number, so the other demo data stays as it was."""
    if case.status != CaseStatus.ACTIVE or case.sentence_kind != SentenceKind.CONDITIONAL:
        return None
    if case.ordered_control_end is None or case.decision_date is None:
        return None
    rng = stream(0, f"decision:{case.number}")
    earliest = (case.registered_on or case.received_on) + dt.timedelta(days=60)
    if rng.random() >= 0.05 or earliest + dt.timedelta(days=15) > today:
        return None
    decided = earliest + dt.timedelta(days=rng.randint(0, (today - earliest).days - 15))
    decision = CourtDecision(
        case=case,
        kind=DecisionKind.EXTENSION,
        court=case.court,
        number=f"4-{rng.randint(10, 999)}/{decided.year}",
        decision_date=decided,
        effective_date=decided + dt.timedelta(days=15),
        extension_months=rng.choice([1, 2, 3, 6]),
        note="Нарушение порядка отбывания",
        recorded_at=_moment(decided + dt.timedelta(days=15)),
    )
    _kind, _start, case.control_end = apply_decisions(
        sentence_kind=case.sentence_kind, start=case.control_start, end=case.ordered_control_end, decisions=[decision]
    )
    return decision


def seed_demo(*, size: DemoSize, seed: int, today: dt.date, progress: Callable[[int], object] | None = None) -> Summary:
    """Create the whole demo data set in one transaction and record one ``demo.seed`` event."""
    with transaction.atomic(), historic_timestamps():
        org = create_org(size=size, seed=seed)
        summary = add_population(
            org=org, seed=seed, people=size.people, cases=size.cases, active=size.active, today=today, progress=progress
        )
        seed_supervision(seed=seed, today=today)
        add_demo_messages(seed=seed, today=today)
        seed_enforcement(seed=seed, today=today)
        summary.offices = len(org.offices)
        summary.staff = User.objects.count()
        seed_conditions(seed=seed, today=today)
        seed_labour(seed=seed, today=today)  # after the conditions: it tracks the duties to work they set
        seed_assessments(seed=seed, today=today)  # after enforcement: violations since an assessment call for another
        # Social and legal assistance: the organisations first, then the programmes built on the needs
        # assessments, the referrals of their measures, and the rest that reuses the organisations.
        seed_partners(seed=seed, today=today)
        seed_programmes(seed=seed, today=today)
        seed_referrals(seed=seed, today=today)
        seed_employment(seed=seed, today=today)
        seed_releases(seed=seed, today=today)
        seed_volunteers(seed=seed, today=today)
        # Electronic monitoring: devices, monitored cases with zones and curfews, recent positions.
        seed_monitoring(seed=seed, today=today)
        audit_record(
            actor=None,
            action="demo.seed",
            details={"seed": seed, "today": today.isoformat(), **summary.as_details()},
        )
    return summary


# --- Reference lists ---------------------------------------------------------------------------

"""Demo individual programmes: for a share of the open cases (every minor's among them), programmes
in every state — drafts, agreed, refused, closed, and agreed ones changed into a new draft version —
with goals from the needs assessment where there is one (else the officer's study), measures with a
partner organisation serving the district where one offers it (``seed_partners`` runs first),
versions with what changed, and minors' parents or guardians, guardianship bodies and child-rights
organisations as participants. Written in bulk; persons who already have a programme are left alone."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from dateutil.relativedelta import relativedelta

from openprobation.accounts.models import Office
from openprobation.assessments.models import CaseAssessmentState
from openprobation.cases.models import OPEN_STATUSES, Case
from openprobation.core.timeutil import age_on
from openprobation.demo.people import stream
from openprobation.people.models import FamilyMember, Relation
from openprobation.programmes.catalogue import MEASURES, NeedDomain, OrganisationKind, measures_for_domain
from openprobation.programmes.content import diff
from openprobation.programmes.models import (
    Goal,
    MeasureStatus,
    ParticipantKind,
    PartnerOrganisation,
    Programme,
    ProgrammeMeasure,
    ProgrammeParticipant,
    ProgrammeStatus,
    ProgrammeStatusChange,
    ProgrammeVersion,
)
from openprobation.rules.rulebook import rule

BATCH = 2000
# Demo programmes at most: enough for every office, few enough to stay quick at every size.
MAX_PROGRAMMES = 600
SHARE = 0.35
STUDIES = [
    "Тұрақты жұмысы жоқ, уақытша табыспен күнелтеді. Жеке куәлігінің мерзімі өткен.",
    "Не имеет постоянного жилья, проживает у знакомых. Нуждается в помощи с трудоустройством.",
    "Отбасымен байланысы үзілген, әлеуметтік төлемдерді алмайды.",
    "Бросил учёбу, нуждается в психологической поддержке и профориентации.",
]
GOAL_TEXTS = {
    NeedDomain.EDUCATION_EMPLOYMENT: "Тұрақты жұмысқа орналасу немесе оқуды жалғастыру",
    NeedDomain.ACCOMMODATION: "Найти постоянное жильё",
    NeedDomain.FINANCES: "Әлеуметтік төлемдерді рәсімдеу",
    NeedDomain.RELATIONSHIPS: "Восстановить связь с семьёй",
    NeedDomain.ASSOCIATES: "Бос уақытты пайдалы өткізу",
    NeedDomain.SUBSTANCE_USE: "Пройти лечение от зависимости",
    NeedDomain.ATTITUDES: "Заң бұзушылыққа көзқарасты өзгерту",
    NeedDomain.MENTAL_HEALTH: "Получить психологическую помощь",
    NeedDomain.DOCUMENTS: "Жеке куәлікті қалпына келтіру",
    NeedDomain.OTHER: "Әлеуметтік бейімделу",
}
DONE_OUTCOMES = ["Орындалды", "Выполнено: человек трудоустроен", "Кеңес берілді", "Выполнено: документы получены"]
NOT_DONE_OUTCOMES = ["Не выполнено: человек не явился", "Орындалмады: адам келмеді"]
# The states of the demo programmes (the last: agreed, then changed into a new draft version).
STATES = [("draft", 0.2), ("agreed", 0.45), ("refused", 0.1), ("closed", 0.1), ("new_version", 0.15)]


def _state(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for name, share in STATES:
        total += share
        if roll < total:
            return name
    return "agreed"


def _organisations() -> tuple[dict[tuple[int, str], list[int]], dict[tuple[int, str], list[PartnerOrganisation]]]:
    """Per (office, measure): the active organisations serving it; per (office, kind) likewise."""
    by_measure: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_kind: dict[tuple[int, str], list[PartnerOrganisation]] = defaultdict(list)
    offices = list(Office.objects.all())
    for org in PartnerOrganisation.objects.filter(active=True).prefetch_related("districts"):
        served = {d.pk for d in org.districts.all()} or {o.pk for o in offices if o.region_id == org.region_id}
        for office_id in served:
            by_kind[(office_id, org.kind)].append(org)
            for code in org.services or []:
                if code in MEASURES:
                    by_measure[(office_id, code)].append(org.pk)
    return by_measure, by_kind


def _needs(case_ids: list[int]) -> dict[int, tuple[int, list[tuple[str, int]]]]:
    out = {}
    for case_id, assessment_id, result in CaseAssessmentState.objects.filter(
        case_id__in=case_ids, needs__isnull=False
    ).values_list("case_id", "needs_id", "needs__result"):
        rated = sorted(
            ((d["domain"], int(d["points"])) for d in (result or {}).get("domains", []) if d.get("points", 0) > 0),
            key=lambda x: -x[1],
        )
        out[case_id] = (assessment_id, [(d if d in NeedDomain.values else NeedDomain.OTHER, p) for d, p in rated[:3]])
    return out


def _chosen(rng: random.Random, today: dt.date, minor_age: int) -> list[Case]:
    cases = list(
        Case.objects.filter(status__in=OPEN_STATUSES, officer__isnull=False, received_on__lte=today)
        .exclude(person__programmes__isnull=False)
        .select_related("person", "office", "officer")
        .order_by("pk")
    )
    seen: set[int] = set()
    minors: list[Case] = []
    others: list[Case] = []
    for case in cases:
        if case.person_id in seen:
            continue
        seen.add(case.person_id)
        (minors if age_on(case.person.birth_date, today) < minor_age else others).append(case)
    picked = [c for c in others if rng.random() < SHARE]
    return (minors + picked)[:MAX_PROGRAMMES]


def _content(goals: list[Goal], measures: list[ProgrammeMeasure], names: dict[int, str]) -> dict[str, Any]:
    return {
        "goals": [
            {"id": g.pk, "domain": g.domain, "text": g.text, "assessed_points": g.assessed_points} for g in goals
        ],
        "measures": [
            {
                "id": m.pk,
                "measure": m.measure,
                "description": m.description,
                "organisation": names.get(m.organisation_id or 0, ""),
                "organisation_id": m.organisation_id,
                "due_on": m.due_on.isoformat(),
                "goal": m.goal_id,
                "status": m.status,
            }
            for m in measures
        ],
        "participants": [],
    }


def seed_programmes(*, seed: int, today: dt.date) -> dict[str, int]:
    rng = stream(seed, "programmes")
    minors_rule = rule("programmes.minors", on=today)
    interval = rule("programmes.review_interval", on=today)
    minor_age = int(minors_rule["age_below"])
    chosen = _chosen(rng, today, minor_age)
    needs = _needs([c.pk for c in chosen])
    by_measure, by_kind = _organisations()
    names = dict(PartnerOrganisation.objects.values_list("pk", "name"))

    plans: list[dict[str, Any]] = []
    programmes: list[Programme] = []
    for case in chosen:
        state = _state(rng)
        minor = age_on(case.person.birth_date, today) < minor_age
        opened = max(case.received_on, today - dt.timedelta(days=rng.randint(10, 200)))
        assessment_id, rated = needs.get(case.pk, (None, []))
        if not rated:
            rated = [(d, 0) for d in rng.sample(list(GOAL_TEXTS)[:-1], rng.randint(1, 2))]
        months = int(interval["minor_months"] if minor else interval["months"])
        answered = min(today, opened + dt.timedelta(days=rng.randint(1, 10)))
        status = {"new_version": ProgrammeStatus.DRAFT}.get(state, state)
        # Most programmes were reviewed on time (the next review ahead); some are overdue.
        review = answered + relativedelta(months=months)
        while review < today and rng.random() < 0.85:
            review += relativedelta(months=months)
        programmes.append(
            Programme(
                person=case.person,
                case=case,
                office=case.office,
                status=status,
                basis="needs_assessment" if assessment_id else "officer_study",
                needs_assessment_id=assessment_id,
                study="" if assessment_id else rng.choice(STUDIES),
                version=2 if state == "new_version" else 1,
                opened_on=opened,
                agreement_on=answered if state in ("agreed", "refused", "closed") else None,
                agreement_note={"refused": "Бағдарламамен келіспеймін", "agreed": "Келісемін"}.get(state, ""),
                next_review_on=review if state == "agreed" else None,
                review_rule_key=interval.key if state == "agreed" else "",
                review_rule_version=interval.version if state == "agreed" else None,
                closed_on=min(today, answered + dt.timedelta(days=rng.randint(30, 120))) if state == "closed" else None,
                created_by=case.officer,
            )
        )
        plans.append({"case": case, "state": state, "minor": minor, "rated": rated, "answered": answered})
    Programme.objects.bulk_create(programmes, batch_size=BATCH)

    goals: list[Goal] = []
    for programme, plan in zip(programmes, plans, strict=True):
        for domain, points in plan["rated"]:
            goals.append(
                Goal(programme=programme, domain=domain, text=GOAL_TEXTS[domain], assessed_points=points or None)
            )
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    goals_of: dict[int, list[Goal]] = defaultdict(list)
    for goal in goals:
        goals_of[goal.programme_id].append(goal)

    measures: list[ProgrammeMeasure] = []
    for programme, plan in zip(programmes, plans, strict=True):
        for goal in goals_of[programme.pk]:
            codes = measures_for_domain(goal.domain) or ["legal_advice"]
            for code in rng.sample(codes, min(len(codes), rng.randint(1, 2))):
                orgs = by_measure.get((programme.office_id, code), [])
                due = programme.opened_on + dt.timedelta(days=rng.randint(20, 150))
                status = MeasureStatus.PLANNED
                outcome, outcome_on = "", None
                if plan["state"] in ("agreed", "closed", "new_version"):
                    if due < today and rng.random() < 0.7:
                        status = rng.choice([MeasureStatus.DONE, MeasureStatus.DONE, MeasureStatus.NOT_DONE])
                        outcome = rng.choice(DONE_OUTCOMES if status == MeasureStatus.DONE else NOT_DONE_OUTCOMES)
                        outcome_on = due
                    elif rng.random() < 0.5:
                        status = MeasureStatus.IN_PROGRESS
                measures.append(
                    ProgrammeMeasure(
                        programme=programme,
                        goal=goal,
                        measure=code,
                        organisation_id=rng.choice(orgs) if orgs else None,
                        due_on=due,
                        status=status,
                        outcome=outcome,
                        outcome_on=outcome_on,
                    )
                )
    ProgrammeMeasure.objects.bulk_create(measures, batch_size=BATCH)
    measures_of: dict[int, list[ProgrammeMeasure]] = defaultdict(list)
    for m in measures:
        measures_of[m.programme_id].append(m)

    history: list[ProgrammeStatusChange] = []
    versions: list[ProgrammeVersion] = []
    for programme, plan in zip(programmes, plans, strict=True):
        officer, state, answered = plan["case"].officer, plan["state"], plan["answered"]

        def move(a: str, b: str, on: dt.date, reason: str = "", *, p: Programme = programme, by: Any = officer) -> None:
            history.append(
                ProgrammeStatusChange(
                    programme=p, from_status=a, to_status=b, reason=reason, effective_on=on, changed_by=by
                )
            )

        move("", "draft", programme.opened_on)
        content = _content(goals_of[programme.pk], measures_of[programme.pk], names)
        if state == "draft":
            continue
        first = content
        if state == "new_version":
            # Version 1 was agreed without the last measure; adding it started version 2.
            first = {**content, "measures": content["measures"][:-1] or content["measures"]}
        answer = "refused" if state == "refused" else "agreed"
        move("draft", answer, answered, programme.agreement_note)
        versions.append(
            ProgrammeVersion(
                programme=programme,
                number=1,
                content=first,
                changes=diff(None, first),
                agreement=answer,
                agreement_on=answered,
                agreement_note=programme.agreement_note or "Келісемін",
                created_by=officer,
            )
        )
        if state == "new_version":
            move("agreed", "draft", min(today, answered + dt.timedelta(days=20)), "Changed after the person's answer")
        if state == "closed":
            move("agreed", "closed", programme.closed_on or today, "Бағдарлама орындалды")
    ProgrammeStatusChange.objects.bulk_create(history, batch_size=BATCH)
    ProgrammeVersion.objects.bulk_create(versions, batch_size=BATCH)

    participants = _participants(rng, programmes, plans, by_kind, today)
    ProgrammeParticipant.objects.bulk_create(participants, batch_size=BATCH)
    return {
        "programmes": len(programmes),
        "goals": len(goals),
        "measures": len(measures),
        "versions": len(versions),
        "participants": len(participants),
        "minors": sum(1 for p in plans if p["minor"]),
    }


def _participants(
    rng: random.Random,
    programmes: list[Programme],
    plans: list[dict[str, Any]],
    by_kind: dict[tuple[int, str], list[PartnerOrganisation]],
    today: dt.date,
) -> list[ProgrammeParticipant]:
    minors = [(p, plan) for p, plan in zip(programmes, plans, strict=True) if plan["minor"]]
    family: dict[int, list[FamilyMember]] = defaultdict(list)
    for member in FamilyMember.objects.filter(person_id__in=[p.person_id for p, _plan in minors]).order_by("pk"):
        if member.relation in (Relation.PARENT, Relation.GUARDIAN) or member.legal_representative:
            family[member.person_id].append(member)
    rows: list[ProgrammeParticipant] = []
    for programme, _plan in minors:
        invited = min(today, programme.opened_on + dt.timedelta(days=rng.randint(0, 5)))
        for member in family[programme.person_id][:2]:
            rows.append(
                ProgrammeParticipant(
                    programme=programme,
                    kind=ParticipantKind.REPRESENTATIVE,
                    family_member=member,
                    name=member.full_name,
                    phone=member.phone,
                    invited_on=invited,
                )
            )
        for kind, org_kind in (
            (ParticipantKind.GUARDIANSHIP, OrganisationKind.GUARDIANSHIP),
            (ParticipantKind.CHILD_RIGHTS, OrganisationKind.CHILD_RIGHTS),
        ):
            orgs = by_kind.get((programme.office_id, org_kind), [])
            if orgs and rng.random() < 0.9:
                org = rng.choice(orgs)
                rows.append(
                    ProgrammeParticipant(
                        programme=programme,
                        kind=kind,
                        organisation=org,
                        name=org.name,
                        phone=org.phone,
                        email=org.email,
                        invited_on=invited,
                    )
                )
    return rows

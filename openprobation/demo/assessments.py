"""Demo assessments: a risk assessment for most open cases with an officer (from the case file's
facts and a plausible history), a needs assessment for most of those, a few overrides (some
countersigned, some waiting), and some reassessments due — on schedule or after an event."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from openprobation.accounts.models import Role, User
from openprobation.assessments.facts import full_years
from openprobation.assessments.instruments import instrument_in_force, spec_of
from openprobation.assessments.models import (
    Assessment,
    AssessmentReason,
    CaseAssessmentState,
    DueReason,
    LevelOverride,
    OverrideStatus,
)
from openprobation.assessments.rules import scheduled_reassessment
from openprobation.assessments.scoring import score_answers
from openprobation.assessments.services import reassessment_scan
from openprobation.cases.models import OPEN_STATUSES, Case, CaseType, SentenceKind
from openprobation.demo.people import stream
from openprobation.people.models import Address, AddressKind

BATCH = 2000
OVERRIDE_REASONS = [
    "Тұрақты жұмысы бар, отбасы қолдайды; тәуекел бағасы тым жоғары",
    "Постоянная работа и поддержка семьи; первая судимость в пожилом возрасте",
    "Соседи сообщают об угрозах потерпевшей; инструмент этого не учитывает",
]
SENTENCE_OPTION = {
    SentenceKind.RESTRICTION_OF_LIBERTY: "restriction_of_liberty",
    SentenceKind.CONDITIONAL: "conditional",
    SentenceKind.PAROLE: "parole",
}


def seed_assessments(*, seed: int, today: dt.date) -> int:
    """Returns the number of assessments written."""
    rng = stream(seed, "assessments")
    risk_instrument = instrument_in_force("risk", on=today)
    needs_instrument = instrument_in_force("needs", on=today)
    risk_spec, needs_spec = spec_of(risk_instrument), spec_of(needs_instrument)
    article_map = risk_spec.item("offence").article_map
    heads = {u.office_id: u for u in User.objects.filter(role=Role.HEAD_OF_OFFICE, is_active=True)}
    cases = list(
        Case.objects.filter(status__in=OPEN_STATUSES, officer__isnull=False)
        .select_related("person", "officer")
        .order_by("pk")
    )
    addresses = {
        a.person_id: a
        for a in Address.objects.filter(kind=AddressKind.ACTUAL, person_id__in=[c.person_id for c in cases])
    }
    assessments: list[Assessment] = []
    states: list[CaseAssessmentState] = []
    plans: list[tuple[Case, bool]] = []
    for case in cases:
        person = case.person
        if not person.birth_date or rng.random() > 0.85:
            continue
        start = case.registered_on or case.received_on
        # Most were assessed at registration or at the last scheduled review; a few long ago (due).
        months_back = rng.choice([0, 1, 2, 3, 4, 5]) if rng.random() > 0.1 else rng.choice([7, 8, 9])
        on = max(start, today - relativedelta(months=months_back) - dt.timedelta(days=rng.randint(0, 20)))
        on = min(on, today)
        age = full_years(person.birth_date, on)
        if age < 14:
            continue
        previous = 0 if rng.random() < 0.55 else min(15, int(rng.expovariate(0.45)) + 1)
        first = age if previous == 0 else max(14, age - rng.randint(1, max(1, age - 14)))
        articles = [int(a) for a in (case.cc_articles or "").replace(",", " ").split() if a.isdigit()]
        offence = next(
            (o for a in articles for lo, hi, o in article_map if lo <= a <= hi),
            rng.choice(["theft", "fraud", "violence", "drug_possession", "public_order"]),
        )
        if case.case_type == CaseType.POST_PENITENTIARY:
            sentence = "custody_release"
        elif case.case_type == CaseType.PRE_TRIAL:
            sentence = "other"
        else:
            sentence = SENTENCE_OPTION.get(SentenceKind(case.sentence_kind), "other") if case.sentence_kind else "other"
        answers = {
            "age": age,
            "sex": person.sex or "M",
            "age_first_conviction": first,
            "previous_convictions": previous,
            "juvenile_record": "yes" if first < 18 else "no",
            "offence": offence,
            "sentence_kind": sentence,
        }
        result = score_answers(risk_spec, answers)
        address = addresses.get(person.pk)
        circumstances = {
            "employment": person.employment_status,
            "address": str(address) if address else "",
            "address_updated": address.updated_at.isoformat() if address else "",
        }
        risk = Assessment(
            case=case,
            instrument=risk_instrument,
            kind="risk",
            assessed_on=on,
            assessed_by=case.officer,
            reason=AssessmentReason.INITIAL if on == start else AssessmentReason.SCHEDULED,
            answers=answers,
            prefilled={k: v for k, v in answers.items() if k in ("age", "sex", "offence", "sentence_kind")},
            result=result.as_dict(),
            score=result.score,
            probability=result.probability,
            level=result.level,
            circumstances=circumstances,
        )
        assessments.append(risk)
        needs = None
        if rng.random() < 0.8:
            ratings = {d.code: rng.choices(["0", "1", "2"], weights=[5, 3, 2])[0] for d in needs_spec.domains}
            ratings["language"] = person.native_language if person.native_language in ("kk", "ru") else "interpreter"
            needs_result = score_answers(needs_spec, ratings)
            needs = Assessment(
                case=case,
                instrument=needs_instrument,
                kind="needs",
                assessed_on=on,
                assessed_by=case.officer,
                reason=risk.reason,
                answers=ratings,
                result=needs_result.as_dict(),
                score=needs_result.score,
                level=needs_result.level,
                circumstances=circumstances,
            )
            assessments.append(needs)
        due = scheduled_reassessment(assessed_on=on).due_on
        states.append(
            CaseAssessmentState(
                case=case,
                risk=risk,
                needs=needs,
                assessed_level=result.level,
                level=result.level,
                due_on=due,
                due_reason=DueReason.SCHEDULED,
            )
        )
        plans.append((case, len(plans) % 12 == 7))  # one case in twelve has an override
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    for state in states:  # the assessments have their keys now
        state.risk_id = state.risk.pk if state.risk else None
        state.needs_id = state.needs.pk if state.needs else None
    CaseAssessmentState.objects.bulk_create(states, batch_size=BATCH)
    overrides: list[LevelOverride] = []
    by_case = {s.case_id: s for s in states}
    for case, override in plans:
        state = by_case[case.pk]
        assessed = state.risk
        if not override or assessed is None:
            continue
        head = heads.get(case.office_id)
        countersigned = head is not None and len(overrides) % 2 == 0
        overrides.append(
            LevelOverride(
                assessment=assessed,
                computed_level=assessed.level,
                level="medium" if assessed.level in ("low", "high", "very_high") else "low",
                reason=OVERRIDE_REASONS[2] if assessed.level == "low" else rng.choice(OVERRIDE_REASONS[:2]),
                requested_by=case.officer,
                status=OverrideStatus.COUNTERSIGNED if countersigned else OverrideStatus.PENDING,
                decided_by=head if countersigned else None,
                decided_at=timezone.now() if countersigned else None,
            )
        )
    LevelOverride.objects.bulk_create(overrides, batch_size=BATCH)
    for o in overrides:
        if o.status == OverrideStatus.COUNTERSIGNED:
            CaseAssessmentState.objects.filter(case_id=o.assessment.case_id).update(level=o.level, override=o)
    reassessment_scan(today=today)  # first assessments due for the rest; triggers from violations since
    return len(assessments)

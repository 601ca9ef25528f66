import datetime as dt

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CourtDecision, DecisionKind
from openprobation.conditions.models import CaseCondition, ConditionDefinition
from openprobation.conditions.selectors import case_conditions, case_has_condition, conditions_in_force
from openprobation.conditions.services import case_condition_add, case_condition_end
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.testing.factories import a_case

pytestmark = pytest.mark.django_db

CODES = {
    "report_to_office",
    "no_change_residence_work",
    "no_leave_locality",
    "home_at_hours",
    "no_visit_places",
    "work_or_study",
    "undergo_treatment",
    "compensate_damage",
    "wear_em_device",
    "forced_labour",
}
START = dt.date(2026, 1, 14)


@pytest.fixture
def case(personas):
    return a_case(person__registered_office=personas["office_a"], officer=personas["officer"])


def _decision(case, *, kind=DecisionKind.DUTIES_CHANGED, effective=dt.date(2026, 3, 2)):
    return CourtDecision.objects.create(
        case=case,
        kind=kind,
        court="Court",
        number="2-1/2026",
        decision_date=dt.date(2026, 3, 1),
        effective_date=effective,
        duties_added=["curfew"],
    )


def _events(action):
    return AuditEvent.objects.filter(action=action).count()


def test_the_catalogue_is_seeded_by_migrate():
    seeded = set(ConditionDefinition.objects.values_list("code", flat=True))
    assert seeded == CODES
    assert set(ConditionDefinition.objects.values_list("status", flat=True)) == {"X"}


def test_add_from_the_original_decision(personas, case):
    condition = case_condition_add(
        actor=personas["officer"],
        case=case,
        code="home_at_hours",
        params={"times": {"from": "22:00", "to": "06:00"}, "weekdays": [5, 1, 2, 3, 4, 6, 7]},
        in_force_from=START,
    )
    assert condition.code == "home_at_hours"
    assert condition.params["weekdays"] == [1, 2, 3, 4, 5, 6, 7]
    assert condition.decision is None and condition.entered_by == personas["officer"]
    assert _events("condition.add") == 1
    assert case_has_condition(case=case, code="home_at_hours", on=START)
    assert not case_has_condition(case=case, code="home_at_hours", on=START - dt.timedelta(days=1))
    assert [c.code for c in conditions_in_force(case=case, on=dt.date(2026, 6, 1))] == ["home_at_hours"]


def test_add_from_a_later_decision_and_end_it(personas, case):
    decision = _decision(case)
    condition = case_condition_add(
        actor=personas["senior"],
        case=case,
        code="no_leave_locality",
        params={"zone": "Алматы"},
        decision=decision,
        in_force_from=dt.date(2026, 3, 2),
    )
    with pytest.raises(DomainError) as err:
        case_condition_add(
            actor=personas["senior"],
            case=case,
            code="no_leave_locality",
            params={"zone": "Астана"},
            decision=decision,
            in_force_from=dt.date(2026, 3, 3),
        )
    assert err.value.field == "code"
    ending = _decision(case, effective=dt.date(2026, 5, 4))
    case_condition_end(
        actor=personas["senior"], condition=condition, decision=ending, ended_on=dt.date(2026, 5, 4), reason="Court"
    )
    condition.refresh_from_db()
    assert condition.ended_on == dt.date(2026, 5, 4) and condition.ended_by_decision == ending
    assert case_has_condition(case=case, code="no_leave_locality", on=dt.date(2026, 5, 3))
    assert not case_has_condition(case=case, code="no_leave_locality", on=dt.date(2026, 5, 4))
    assert _events("condition.end") == 1
    with pytest.raises(DomainError):
        case_condition_end(
            actor=personas["senior"], condition=condition, decision=ending, ended_on=dt.date(2026, 5, 5), reason="x"
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "nope", "params": {}}, "code"),
        ({"code": "home_at_hours", "params": {"times": {"from": "22:00", "to": "22:00"}, "weekdays": [1]}}, None),
        ({"code": "home_at_hours", "params": {"times": {"from": "٢٢:00", "to": "06:00"}, "weekdays": [1]}}, None),
        ({"code": "home_at_hours", "params": {"times": {"from": "22:00", "to": "06:00"}, "weekdays": [0]}}, None),
        ({"code": "report_to_office", "params": {"reports": 10**30, "period": "week"}}, None),
        ({"code": "report_to_office", "params": {"reports": True, "period": "week"}}, None),
        ({"code": "report_to_office", "params": {"reports": 2, "period": "year"}}, None),
        ({"code": "report_to_office", "params": {"reports": 2, "period": "week", "x": {"y": [1]}}}, "params"),
        ({"code": "report_to_office", "params": [1, 2]}, "params"),
        ({"code": "work_or_study", "params": {"deadline": {"date": "9999-01-01"}}}, None),
        ({"code": "work_or_study", "params": {"deadline": {"days": 0}}}, None),
        ({"code": "work_or_study", "params": {"deadline": {"days": 3, "date": "2026-01-01"}}}, None),
        ({"code": "no_visit_places", "params": {"places": ["  "]}}, None),
        ({"code": "no_leave_locality", "params": {}}, None),
    ],
)
def test_bad_params_are_refused_naming_the_field(personas, case, kwargs, field):
    with pytest.raises(DomainError) as err:
        case_condition_add(actor=personas["officer"], case=case, in_force_from=START, **kwargs)
    if field:
        assert err.value.field == field
    else:
        assert str(err.value.field).startswith("params.")
    assert not CaseCondition.objects.exists()
    assert _events("condition.add") == 0


def test_dates_and_decisions_are_checked(personas, case):
    params = {"zone": "Алматы"}
    add = {"actor": personas["officer"], "case": case, "code": "no_leave_locality", "params": params}
    with pytest.raises(DomainError) as err:
        case_condition_add(**add, in_force_from=START - dt.timedelta(days=1))
    assert err.value.field == "in_force_from"
    with pytest.raises(DomainError) as err:
        case_condition_add(**add, in_force_from=dt.date(9999, 1, 1))
    assert err.value.field == "in_force_from"
    extension = _decision(case, kind=DecisionKind.EXTENSION)
    with pytest.raises(DomainError) as err:
        case_condition_add(**add, decision=extension, in_force_from=dt.date(2026, 3, 2))
    assert err.value.field == "decision"
    other = _decision(a_case(person__registered_office=personas["office_a"]))
    with pytest.raises(DomainError) as err:
        case_condition_add(**add, decision=other, in_force_from=dt.date(2026, 3, 2))
    assert err.value.field == "decision"
    assert not CaseCondition.objects.exists()


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin", "colleague"])
def test_forbidden_personas_change_nothing(personas, case, who):
    with pytest.raises(PermissionDeniedError):
        case_condition_add(actor=personas[who], case=case, code="forced_labour", params={}, in_force_from=START)
    condition = case_condition_add(
        actor=personas["officer"], case=case, code="forced_labour", params={}, in_force_from=START
    )
    with pytest.raises(PermissionDeniedError):
        case_condition_end(
            actor=personas[who], condition=condition, decision=_decision(case), ended_on=dt.date(2026, 3, 2), reason="x"
        )
    condition.refresh_from_db()
    assert condition.ended_on is None
    assert CaseCondition.objects.count() == 1
    assert _events("condition.end") == 0


def test_former_office_changes_nothing(personas, case):
    from openprobation.cases.services import case_transfer

    case_transfer(actor=personas["head"], case=case, to_office=personas["office_b"], reason="moved")
    with pytest.raises(PermissionDeniedError):
        case_condition_add(actor=personas["head"], case=case, code="forced_labour", params={}, in_force_from=START)
    assert not CaseCondition.objects.exists()


def test_case_conditions_is_scoped_and_audited(personas, case):
    case_condition_add(actor=personas["officer"], case=case, code="forced_labour", params={}, in_force_from=START)
    assert len(case_conditions(user=personas["officer"], case=case)) == 1
    assert AuditEvent.objects.filter(action="case.view", details__part="conditions").count() == 1
    from openprobation.cases.models import Case

    for who in ("other_region", "analyst", "sysadmin"):
        with pytest.raises(Case.DoesNotExist):
            case_conditions(user=personas[who], case=case)


def test_demo_duties_are_valid_and_idempotent(personas):
    from openprobation.cases.models import CaseStatus, SentenceKind
    from openprobation.conditions.catalogue import definition_for
    from openprobation.conditions.params import clean_params
    from openprobation.demo.conditions import seed_conditions

    for i in range(12):
        kind = [SentenceKind.RESTRICTION_OF_LIBERTY, SentenceKind.CONDITIONAL, SentenceKind.PAROLE][i % 3]
        a_case(person__registered_office=personas["office_a"], sentence_kind=kind, status=CaseStatus.ACTIVE)
    a_case(person__registered_office=personas["office_a"], status=CaseStatus.AWAITING_REGISTRATION)
    created = seed_conditions(seed=7, today=dt.date(2026, 3, 2))
    assert created >= 24
    assert CaseCondition.objects.values("case").distinct().count() == 12
    for condition in CaseCondition.objects.select_related("definition"):
        definition = definition_for(condition.code, condition.in_force_from)
        assert definition is not None
        assert clean_params(definition.params_schema, condition.params) == condition.params
    assert CaseCondition.objects.filter(definition__code="report_to_office").count() == 12
    assert seed_conditions(seed=7, today=dt.date(2026, 3, 2)) == 0


def test_bulk_selectors(personas, case, django_assert_num_queries):
    from openprobation.conditions.selectors import cases_with_condition, in_force_counts

    other = a_case(person__registered_office=personas["office_a"], officer=personas["officer"])
    case_condition_add(actor=personas["officer"], case=case, code="forced_labour", params={}, in_force_from=START)
    with django_assert_num_queries(2):
        assert cases_with_condition(case_ids=[case.pk, other.pk], code="forced_labour", on=START) == {case.pk}
        assert in_force_counts(case_ids=[case.pk, other.pk], on=START) == {case.pk: 1}

import datetime as dt

import pytest

from openprobation.audit.services import audit_verify
from openprobation.cases.models import CaseStatus, CaseType
from openprobation.cases.selectors import case_qs_for_user
from openprobation.cases.services import (
    CaseInput,
    case_allocate,
    case_open,
    case_register,
    case_transfer,
    case_transition,
)
from openprobation.core.exceptions import DomainError
from openprobation.people.services import person_create


@pytest.mark.django_db
def test_open_register_allocate_transfer_journey(personas):
    officer = personas["officer"]
    person = person_create(
        actor=officer,
        office=personas["office_a"],
        data={"surname": "Ахметов", "first_name": "Ерлан", "birth_date": dt.date(1990, 5, 17), "sex": "M"},
    )
    assert person.surname_latin == "Akhmetov"
    case = case_open(
        actor=officer,
        person=person,
        office=personas["office_a"],
        data=CaseInput(
            case_type=CaseType.SENTENCE,
            received_on=dt.date(2026, 1, 20),
            court="Суд",
            decision_number="1-1/2026",
            decision_date=dt.date(2026, 1, 5),
            effective_date=dt.date(2026, 1, 15),
            sentence_kind="restriction_of_liberty",
            term_months=12,
        ),
    )
    assert case.control_end == dt.date(2027, 1, 14)
    assert case.status == CaseStatus.AWAITING_REGISTRATION
    # The officer who opened it carries cases in this office: it is theirs from the start.
    assert case.officer_id == officer.pk
    colleague = personas["colleague"]
    case_allocate(actor=personas["head"], case=case, officer=colleague, reason="Новое дело")
    case_register(actor=colleague, case=case, registered_on=dt.date(2026, 1, 21))
    case_transition(actor=colleague, case=case, to_status=CaseStatus.ACTIVE, reason="Начат контроль")
    with pytest.raises(DomainError):
        case_transition(actor=colleague, case=case, to_status=CaseStatus.AWAITING_REGISTRATION, reason="x")
    case_transfer(actor=personas["head"], case=case, to_office=personas["office_b"], reason="Переезд")
    assert case_qs_for_user(personas["officer"]).filter(pk=case.pk).exists()
    assert case_qs_for_user(personas["other_district"]).filter(pk=case.pk).exists()
    assert not case_qs_for_user(personas["other_region"]).filter(pk=case.pk).exists()
    result = audit_verify()
    assert result.ok, result.problems
    assert result.checked == 6


@pytest.mark.django_db
def test_restriction_of_liberty_of_four_months_is_rejected_with_article(personas):
    officer = personas["officer"]
    person = person_create(
        actor=officer,
        office=personas["office_a"],
        data={"surname": "Иванов", "first_name": "Сергей", "birth_date": dt.date(1985, 1, 2), "sex": "M"},
    )
    with pytest.raises(DomainError) as err:
        case_open(
            actor=officer,
            person=person,
            office=personas["office_a"],
            data=CaseInput(
                case_type=CaseType.SENTENCE,
                received_on=dt.date(2026, 1, 20),
                court="Суд",
                decision_number="1-2/2026",
                decision_date=dt.date(2026, 1, 5),
                sentence_kind="restriction_of_liberty",
                term_months=4,
            ),
        )
    assert "CC art. 44(1)" in str(err.value)
    assert err.value.code == "term_out_of_bounds"

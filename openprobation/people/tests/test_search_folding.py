import datetime as dt

import pytest

from openprobation.cases.models import Case
from openprobation.cases.selectors import CaseloadFilters, caseload
from openprobation.people.selectors import person_search
from openprobation.people.services import person_create
from openprobation.testing.factories import CaseFactory


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["жұмабаев", "ЖҰМАБАЕВ", "Жұмабаев", "zhumabaev", "семен"])
def test_people_and_cases_are_found_by_name_in_any_letter_case(personas, query):
    person = person_create(
        actor=personas["officer"],
        office=personas["office_a"],
        data={
            "surname": "Жұмабаев",
            "first_name": "Семён",
            "birth_date": dt.date(1988, 2, 2),
            "sex": "M",
        },
    )
    case: Case = CaseFactory(person=person, office=personas["office_a"])  # type: ignore[assignment]
    found = [c.pk for c in caseload(user=personas["officer"], filters=CaseloadFilters(q=query))]
    assert list(person_search(user=personas["officer"], query=query)) == [person]
    assert found == [case.pk]

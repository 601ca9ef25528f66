import datetime as dt

import pytest

from openprobation.core.exceptions import DomainError
from openprobation.people.models import Person
from openprobation.people.services import person_create


@pytest.mark.django_db
def test_registering_a_person_with_a_document_expiring_before_issue_saves_nothing(personas):
    with pytest.raises(DomainError) as err:
        person_create(
            actor=personas["officer"],
            office=personas["office_a"],
            data={"surname": "Омаров", "first_name": "Бауыржан", "birth_date": dt.date(1980, 3, 3), "sex": "M"},
            documents=[
                {
                    "kind": "id_card",
                    "number": "0123",
                    "issued_on": dt.date(2020, 1, 1),
                    "valid_until": dt.date(2019, 1, 1),
                }
            ],
        )
    assert err.value.field == "valid_until"
    assert not Person.objects.filter(surname="Омаров").exists()

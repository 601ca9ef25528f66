from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.cases.models import Case
from openprobation.testing.factories import a_case, a_person


def make_case(personas: dict[str, Any], **over: Any) -> Case:
    fields: dict[str, Any] = {
        "person": a_person(registered_office=personas["office_a"]),
        "office": personas["office_a"],
        "officer": personas["officer"],
        "control_start": dt.date(2026, 1, 14),
        "control_end": dt.date(2028, 1, 13),
        "ordered_control_start": dt.date(2026, 1, 14),
        "ordered_control_end": dt.date(2028, 1, 13),
    }
    fields.update(over)
    return a_case(**fields)


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    return make_case(personas)

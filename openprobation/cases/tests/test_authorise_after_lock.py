"""Every change of a case is authorised on the row as it is under the lock, not on the copy the
caller read before: a case transferred away in between is no longer the old office's to change
(under concurrent transfers, a head of the office the case had just left changed its status)."""

from __future__ import annotations

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseStatusChange
from openprobation.cases.services import case_allocate, case_transfer, case_transition
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale(personas):
    """A case of office A as the head of A read it, then transferred to office B by someone else."""
    case = a_case(person=a_person(registered_office=personas["office_a"]), status=CaseStatus.ACTIVE)
    read_before = Case.objects.select_related("office").get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(office=personas["office_b"], officer=None)
    return read_before


def _unchanged(case: Case, personas) -> None:
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.office_id, fresh.status, fresh.officer_id) == (personas["office_b"].pk, CaseStatus.ACTIVE, None)
    assert not CaseStatusChange.objects.filter(case_id=case.pk).exists()
    assert not AuditEvent.objects.exists()


def test_a_status_change_by_the_former_office_is_refused(personas, stale):
    with pytest.raises(PermissionDeniedError):
        case_transition(actor=personas["head"], case=stale, to_status=CaseStatus.SUSPENDED, reason="Болезнь")
    _unchanged(stale, personas)


def test_an_allocation_by_the_former_office_is_refused(personas, stale):
    with pytest.raises(PermissionDeniedError):
        case_allocate(actor=personas["head"], case=stale, officer=personas["officer"], reason="x")
    _unchanged(stale, personas)


def test_a_transfer_by_the_former_office_is_refused(personas, stale):
    with pytest.raises(PermissionDeniedError):
        case_transfer(actor=personas["head"], case=stale, to_office=personas["office_c"], reason="x")
    _unchanged(stale, personas)


def test_the_new_office_may_change_it(personas, stale):
    fresh = Case.objects.select_related("office").get(pk=stale.pk)
    moved = case_transition(actor=personas["other_head"], case=fresh, to_status=CaseStatus.SUSPENDED, reason="x")
    assert moved.status == CaseStatus.SUSPENDED

"""Carrying a person's programme to the case it now runs under (a release plan's handover, a
transfer of supervision): the one function both the release planning and the programme pages call."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.programmes.models import OPEN_REFERRAL, Programme, ProgrammeStatus, Referral


def programme_carry_forward(*, actor: Any, person_id: int, to_case: Case, reason: str) -> Programme | None:
    """Move the person's programme in work (any not closed) and its referrals still open to
    ``to_case`` and its office, so the receiving office sees and continues them. None when the
    person has no programme in work."""
    with transaction.atomic():
        programme = (
            Programme.objects.select_for_update()
            .filter(person_id=person_id)
            .exclude(status=ProgrammeStatus.CLOSED)
            .first()
        )
        if programme is None or programme.case_id == to_case.pk:
            return programme
        old_case, old_office = programme.case_id, programme.office_id
        programme.case = to_case
        programme.office_id = to_case.office_id
        programme.save(update_fields=["case", "office", "updated_at"])
        moved = Referral.objects.filter(measure__programme=programme, status__in=("draft", *OPEN_REFERRAL)).update(
            case=to_case, office_id=to_case.office_id
        )
        audit_record(
            actor=actor,
            action="programme.carried_forward",
            subject=programme,
            changes={"case": [old_case, to_case.pk], "office": [old_office, to_case.office_id]},
            details={"reason": reason, "referrals_moved": moved},
        )
    return programme

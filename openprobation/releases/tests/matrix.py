"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the releases routes: the
records they name (``RECORDS``: URL name -> a function making one on the case, returning its pk) and
a valid payload for each write (``PAYLOADS``: (URL name, method) -> a function of world and side).
The side's active case becomes a penitentiary case for the test (its savepoint only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openprobation.cases.models import Case, CaseType, SentenceKind
from openprobation.core.timeutil import local_today
from openprobation.releases.models import Area, ReleasePlan, ReleasePlanItem


def in_prison(case_pk: int) -> Case:
    Case.objects.filter(pk=case_pk).update(
        case_type=CaseType.PENITENTIARY,
        sentence_kind=SentenceKind.IMPRISONMENT,
        release_date=local_today() + dt.timedelta(days=90),
        institution="ЕЦ-166/11 мекемесі",
    )
    return Case.objects.get(pk=case_pk)


def a_plan(case_pk: int, **fields: Any) -> ReleasePlan:
    case = in_prison(case_pk)
    assert case.release_date is not None
    plan, _created = ReleasePlan.objects.get_or_create(
        case=case,
        defaults={
            "person_id": case.person_id,
            "office_id": case.office_id,
            "release_date": case.release_date,
            "opens_on": case.release_date - dt.timedelta(days=182),
            "rule_key": "penitentiary.release_preparation",
            "rule_version": 1,
            **fields,
        },
    )
    for area in Area.values:
        ReleasePlanItem.objects.get_or_create(plan=plan, area=area)
    return plan


def _item(world: dict[str, Any], case_pk: int) -> int:
    return ReleasePlanItem.objects.get(plan=a_plan(case_pk), area=Area.HOUSING).pk


def _open(w: Any, s: Any) -> dict[str, Any]:
    in_prison(s.active.pk)
    return {}


def _with_plan(payload: Callable[[Any, Any], dict[str, Any]]) -> Callable[[Any, Any], dict[str, Any]]:
    def make(w: Any, s: Any) -> dict[str, Any]:
        a_plan(s.active.pk)
        return payload(w, s)

    return make


def _item_payload(w: Any, s: Any) -> dict[str, Any]:
    due = (local_today() + dt.timedelta(days=30)).isoformat()
    return {"status": "in_progress", "owner_name": "Ауыл әкімдігі", "due_on": due, "note": "Жатақхана"}


def _details(w: Any, s: Any) -> dict[str, Any]:
    return {"receiving_office": s.transfer_to.pk, "handover_kind": "post_penitentiary"}


def _handover(w: Any, s: Any) -> dict[str, Any]:
    a_plan(s.active.pk, receiving_office=s.transfer_to)
    return {"released_on": local_today().isoformat()}


def _cancel(w: Any, s: Any) -> dict[str, Any]:
    return {"reason": "Жаңа үкім шықты"}


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "releases:item": _item,
    "api-case-release-plan-item": _item,
}
PAYLOADS: dict[tuple[str, str], Callable[[dict[str, Any], Any], Any]] = {
    ("releases:open", "POST"): _open,
    ("api-case-release-plan", "POST"): _open,
    ("releases:item", "POST"): _item_payload,
    ("api-case-release-plan-item", "POST"): _item_payload,
    ("releases:details", "POST"): _with_plan(_details),
    ("api-case-release-plan-details", "POST"): _with_plan(_details),
    ("releases:handover", "POST"): _handover,
    ("api-case-release-plan-handover", "POST"): _handover,
    ("releases:cancel", "POST"): _with_plan(_cancel),
    ("api-case-release-plan-cancel", "POST"): _with_plan(_cancel),
}

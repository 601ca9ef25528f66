"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the programmes routes: the
records they name (``RECORDS``: URL name -> a function making one on the case, returning its pk) and
a valid payload for each write (``PAYLOADS``: (URL name, method) -> a function of world and side)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openprobation.cases.models import Case
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import (
    Goal,
    ParticipantKind,
    Programme,
    ProgrammeMeasure,
    ProgrammeParticipant,
    ProgrammeStatus,
    ProgrammeVersion,
)


def programme_on(case_pk: int, *, status: str = ProgrammeStatus.DRAFT) -> Programme:
    """The case's programme in work (made as a draft with one goal and one measure if none)."""
    case = Case.objects.select_related("person", "office", "officer").get(pk=case_pk)
    programme = Programme.objects.filter(person=case.person).exclude(status=ProgrammeStatus.CLOSED).first()
    today = local_today()
    if programme is None:
        programme = Programme.objects.create(
            person=case.person,
            case=case,
            office=case.office,
            basis="officer_study",
            study="Жұмыссыз, құжаттары жоқ.",
            opened_on=today - dt.timedelta(days=10),
            created_by=case.officer,  # type: ignore[misc]
        )
        goal = Goal.objects.create(programme=programme, domain="documents", text="Жеке куәлікті қалпына келтіру")
        ProgrammeMeasure.objects.create(
            programme=programme, goal=goal, measure="identity_documents", due_on=today + dt.timedelta(days=20)
        )
    if status != programme.status:
        Programme.objects.filter(pk=programme.pk).update(
            status=status,
            agreement_on=today - dt.timedelta(days=5) if status == ProgrammeStatus.AGREED else None,
            next_review_on=today + dt.timedelta(days=60) if status == ProgrammeStatus.AGREED else None,
        )
        programme.refresh_from_db()
    return programme


def _goal(world: dict[str, Any], case_pk: int) -> int:
    return programme_on(case_pk).goals.get().pk


def _measure(world: dict[str, Any], case_pk: int) -> int:
    return programme_on(case_pk).measures.order_by("id").first().pk  # type: ignore[union-attr]


def _participant(world: dict[str, Any], case_pk: int) -> int:
    programme = programme_on(case_pk)
    found = ProgrammeParticipant.objects.create(
        programme=programme, kind=ParticipantKind.OTHER, name="Ахметова Гүлнар", phone="+77010000001"
    )
    return found.pk


def _version(world: dict[str, Any], case_pk: int) -> int:
    programme = programme_on(case_pk)
    version, _created = ProgrammeVersion.objects.get_or_create(
        programme=programme,
        number=1,
        defaults={
            "content": {"goals": [], "measures": []},
            "changes": [],
            "agreement": "agreed",
            "agreement_on": local_today() - dt.timedelta(days=5),
            "created_by": programme.created_by,
        },
    )
    return version.pk


def _today() -> str:
    return local_today().isoformat()


def _due() -> str:
    return (local_today() + dt.timedelta(days=30)).isoformat()


def _with(payload: Callable[[], Any], *, status: str = ProgrammeStatus.DRAFT) -> Callable[[Any, Any], Any]:
    def make(w: Any, s: Any) -> Any:
        programme_on(s.active.pk, status=status)
        return payload()

    return make


def _copies(w: Any, s: Any) -> dict[str, Any]:
    _participant(w, s.active.pk)
    return {}


def _open_form(w: Any, s: Any) -> dict[str, Any]:
    return {
        "study": "Жұмыссыз, тұрғын үйі жоқ.",
        "domains": ["accommodation"],
        "measures": ["housing"],
        "due_on": _due(),
    }


def _open_json(w: Any, s: Any) -> dict[str, Any]:
    return {
        "study": "Без работы и документов.",
        "goals": [{"domain": "documents", "text": "Восстановить удостоверение личности"}],
        "measures": [{"measure": "identity_documents", "due_on": _due()}],
    }


RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "programmes:goal_edit": _goal,
    "programmes:measure_edit": _measure,
    "programmes:measure_progress": _measure,
    "programmes:measure_remove": _measure,
    "programmes:participant_remove": _participant,
    "programmes:version": _version,
    "api-case-programme-goal": _goal,
    "api-case-programme-measure": _measure,
    "api-case-programme-version": _version,
    "api-case-programme-participant": _participant,
}

_GOAL = {"domain": "accommodation", "text": "Тұрақты баспана табу"}
_MEASURE = {"measure": "legal_advice", "description": "Кеңес", "organisation": "", "goal": ""}
_AGREE = {"agreed": "yes", "note": "Келісемін", "representative": ""}

PAYLOADS: dict[tuple[str, str], Callable[[Any, Any], Any]] = {
    ("programmes:programme_new", "POST"): _open_form,
    ("api-case-programme", "POST"): _open_json,
    ("programmes:goal_new", "POST"): _with(lambda: _GOAL),
    ("api-case-programme-goals", "POST"): _with(lambda: _GOAL),
    ("programmes:goal_edit", "POST"): _with(lambda: {"text": "Құжаттарды алу", "achieved": "on"}),
    ("api-case-programme-goal", "PATCH"): _with(lambda: {"text": "Құжаттарды алу", "achieved": True}),
    ("programmes:measure_new", "POST"): _with(lambda: {**_MEASURE, "due_on": _due()}),
    ("api-case-programme-measures", "POST"): _with(lambda: {"measure": "legal_advice", "due_on": _due()}),
    ("programmes:measure_edit", "POST"): _with(
        lambda: {
            "measure": "identity_documents",
            "due_on": _due(),
            "description": "ХҚКО",
            "organisation": "",
            "goal": "",
        }
    ),
    ("programmes:measure_progress", "POST"): _with(lambda: {"status": "in_progress", "outcome": ""}),
    ("api-case-programme-measure", "PATCH"): _with(lambda: {"status": "in_progress"}),
    ("programmes:measure_remove", "POST"): _with(dict),
    ("api-case-programme-measure", "DELETE"): _with(dict),
    ("programmes:agreement", "POST"): _with(lambda: {**_AGREE, "on": _today()}),
    ("api-case-programme-agreement", "POST"): _with(lambda: {"agreed": True, "on": _today(), "note": "Келісемін"}),
    ("programmes:review", "POST"): _with(lambda: {"on": _today(), "note": "Барлығы жоспар бойынша"}, status="agreed"),
    ("api-case-programme-review", "POST"): _with(lambda: {"on": _today()}, status="agreed"),
    ("programmes:close", "POST"): _with(lambda: {"on": _today(), "reason": "Бағдарлама орындалды"}),
    ("api-case-programme-close", "POST"): _with(lambda: {"on": _today(), "reason": "Программа выполнена"}),
    ("programmes:participant_new", "POST"): _with(
        lambda: {"kind": "other", "name": "Сейітов Болат", "phone": "+77010000002", "copy_notices": "on"}
    ),
    ("api-case-programme-participants", "POST"): _with(lambda: {"kind": "other", "name": "Сейітов Болат"}),
    ("programmes:participant_remove", "POST"): _with(dict),
    ("programmes:send_copies", "POST"): _copies,
    ("api-case-programme-participant", "DELETE"): _with(dict),
    ("api-case-programme-copies", "POST"): _copies,
}

"""What the access matrix (``web/tests/test_access_matrix.py``) needs for the labour routes: the
records they name and a valid payload for each write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from openprobation.cases.models import Case, SentenceKind
from openprobation.core.timeutil import local_today
from openprobation.labour.models import DutyStatus, EmploymentDuty, JobOffer


def _duty(case_pk: int) -> EmploymentDuty:
    duty, _created = EmploymentDuty.objects.get_or_create(
        case_id=case_pk,
        defaults={
            "deadline": local_today() + dt.timedelta(days=20),
            "rule_key": "labour.employment_deadline",
            "rule_version": 1,
            "status": DutyStatus.SEEKING,
            "status_on": local_today() - dt.timedelta(days=10),
        },
    )
    return duty


def _offer(world: dict[str, Any], case_pk: int) -> int:
    offer = JobOffer.objects.create(
        duty=_duty(case_pk),
        employer="«Тазалық» ЖШС",
        position="Аула сыпырушы",
        offered_on=local_today() - dt.timedelta(days=2),
        recorded_by=Case.objects.select_related("officer").get(pk=case_pk).officer or world["officer"],
    )
    return offer.pk


def _hours(w: Any, s: Any) -> dict[str, Any]:
    # The active case of the side becomes a restriction of liberty (this test's savepoint only).
    Case.objects.filter(pk=s.active.pk).update(sentence_kind=SentenceKind.RESTRICTION_OF_LIBERTY)
    return {"worked_on": (local_today() - dt.timedelta(days=1)).isoformat(), "hours": "2", "organisation": "Әкімдік"}


def _rejudge(w: Any, s: Any) -> dict[str, Any]:
    Case.objects.filter(pk=s.active.pk).update(sentence_kind=SentenceKind.RESTRICTION_OF_LIBERTY)
    return {"reason": "Тұрақты жұмысқа орналасты"}


def _with_duty(payload: dict[str, Any]) -> Callable[[Any, Any], dict[str, Any]]:
    def make(w: Any, s: Any) -> dict[str, Any]:
        _duty(s.active.pk)
        return payload

    return make


def _answer(w: Any, s: Any) -> dict[str, Any]:
    return {"answer": "accepted", "answered_on": local_today().isoformat()}


_REFERRAL = {"kind": "employment_centre", "organisation": "Халықты жұмыспен қамту орталығы"}
_OFFER = {"employer": "«Тазалық» ЖШС", "position": "Аула сыпырушы"}
_STATUS = {"status": "employed", "employer": "«Тазалық» ЖШС"}


def _dated(payload: dict[str, Any], field: str) -> Callable[[Any, Any], dict[str, Any]]:
    return _with_duty({**payload, field: local_today().isoformat()})


LABOUR_RECORDS: dict[str, Callable[[dict[str, Any], int], int]] = {
    "labour:offer_answer": _offer,
    "api-case-labour-offer-answer": _offer,
}

LABOUR_PAYLOADS: dict[tuple[str, str], Callable[[Any, Any], dict[str, Any]]] = {
    ("labour:hours", "POST"): _hours,
    ("api-case-labour-hours", "POST"): _hours,
    ("labour:rejudge", "POST"): _rejudge,
    ("api-case-labour-rejudge", "POST"): _rejudge,
    ("labour:employment", "POST"): _dated(_STATUS, "on"),
    ("api-case-labour-employment", "POST"): _dated(_STATUS, "on"),
    ("labour:referral", "POST"): _dated(_REFERRAL, "issued_on"),
    ("api-case-labour-referrals", "POST"): _dated(_REFERRAL, "issued_on"),
    ("labour:offer", "POST"): _dated(_OFFER, "offered_on"),
    ("api-case-labour-offers", "POST"): _dated(_OFFER, "offered_on"),
    ("labour:offer_answer", "POST"): _answer,
    ("api-case-labour-offer-answer", "POST"): _answer,
}

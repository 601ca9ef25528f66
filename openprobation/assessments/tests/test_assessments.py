"""Assessments in the case: recording with the instrument in force, the case's level and due
date, overrides and countersigning, reassessment triggers, the supervision frequency that follows
the level, and who is refused (with nothing changed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from openprobation.assessments import services
from openprobation.assessments.models import (
    Assessment,
    CaseAssessmentState,
    DueReason,
    LevelOverride,
    OverrideStatus,
    ReassessmentTrigger,
)
from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseType, SentenceKind
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import Violation, ViolationStatus
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case, a_person

pytestmark = pytest.mark.django_db

RISKY = {
    "age": 19,
    "sex": "M",
    "age_first_conviction": 15,
    "previous_convictions": 6,
    "juvenile_record": "yes",
    "offence": "theft",
    "sentence_kind": "conditional",
}
LOW = {
    "age": 58,
    "sex": "F",
    "age_first_conviction": 57,
    "previous_convictions": 0,
    "juvenile_record": "no",
    "offence": "drug_production",
    "sentence_kind": "conditional",
}


@pytest.fixture
def case(personas: dict[str, Any]) -> Case:
    today = local_today()
    return a_case(
        person=a_person(registered_office=personas["office_a"], birth_date=dt.date(1990, 5, 17), sex="M"),
        office=personas["office_a"],
        officer=personas["officer"],
        case_type=CaseType.SENTENCE,
        sentence_kind=SentenceKind.CONDITIONAL,
        status=CaseStatus.ACTIVE,
        cc_articles="188 ч.2",
        decision_date=today - dt.timedelta(days=60),
        registered_on=today - dt.timedelta(days=30),
    )


def test_recording_a_risk_assessment_sets_the_level_and_the_next_due_date(personas: dict[str, Any], case: Case) -> None:
    a = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=RISKY)
    assert a.level in ("high", "very_high") and a.reason == "initial"
    assert a.prefilled["offence"] == "theft" and a.prefilled["sex"] == "M"
    state = CaseAssessmentState.objects.get(case=case)
    assert state.level == a.level and state.risk == a and state.due_reason == DueReason.SCHEDULED
    assert state.due_on == a.assessed_on + relativedelta(months=6)  # the rulebook's interval
    event = AuditEvent.objects.filter(action="assessment.record").latest("id")
    assert event.details["assessment_id"] == a.pk


def test_the_reporting_default_follows_the_level(personas: dict[str, Any], case: Case) -> None:
    from openprobation.supervision.services import schedule_default

    before, _t, _p = schedule_default(case=case, on=local_today())
    services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=LOW)
    low, _t, _p = schedule_default(case=case, on=local_today())
    assert low.pattern == "monthly" and low != before  # low risk: twice a month, not three times a week
    services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=RISKY)
    high, _t, _p = schedule_default(case=case, on=local_today())
    assert high.pattern == "weekly" and len(high.weekdays) == 3


@pytest.mark.parametrize(
    "who", ["other_district", "other_region", "colleague", "analyst", "auditor", "sysadmin", "court_liaison"]
)
def test_who_may_not_assess_is_refused_and_nothing_changes(personas: dict[str, Any], case: Case, who: str) -> None:
    with pytest.raises(PermissionDeniedError):
        services.assessment_record(actor=personas[who], case=case, kind="risk", answers=RISKY)
    assert not Assessment.objects.exists() and not CaseAssessmentState.objects.filter(risk__isnull=False).exists()


def test_a_finished_case_is_not_assessed(personas: dict[str, Any], case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(DomainError):
        services.assessment_record(actor=personas["head"], case=case, kind="risk", answers=RISKY)
    assert not Assessment.objects.exists()


def test_bad_answers_are_named_and_nothing_is_saved(personas: dict[str, Any], case: Case) -> None:
    with pytest.raises(DomainError) as caught:
        services.assessment_record(
            actor=personas["officer"], case=case, kind="risk", answers={**RISKY, "age": 400, "sex": "?"}
        )
    assert "age" in str(caught.value.message) and "sex" in str(caught.value.message)
    with pytest.raises(DomainError):
        services.assessment_record(
            actor=personas["officer"],
            case=case,
            kind="risk",
            answers=RISKY,
            assessed_on=local_today() + dt.timedelta(days=1),
        )
    with pytest.raises(DomainError):
        services.assessment_record(
            actor=personas["officer"], case=case, kind="risk", answers={**RISKY, "age_first_conviction": 30}
        )  # after the age now
    assert not Assessment.objects.exists()


def test_override_needs_a_reason_and_the_heads_countersignature(personas: dict[str, Any], case: Case) -> None:
    a = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=RISKY)
    with pytest.raises(DomainError):
        services.level_override_request(actor=personas["officer"], assessment=a, level="medium", reason="short")
    o = services.level_override_request(
        actor=personas["officer"], assessment=a, level="medium", reason="Стабильная работа и семья, поддержка родных"
    )
    state = CaseAssessmentState.objects.get(case=case)
    assert state.level == a.level  # nothing applies before the countersignature
    for who in ("officer", "colleague", "senior", "other_head", "analyst", "sysadmin"):
        with pytest.raises(PermissionDeniedError):
            services.level_override_decide(actor=personas[who], override=o, approve=True)
    assert LevelOverride.objects.get(pk=o.pk).status == OverrideStatus.PENDING
    with pytest.raises(DomainError):
        services.level_override_decide(
            actor=personas["head"], override=o, approve=False, note=""
        )  # refusal needs a why
    services.level_override_decide(actor=personas["head"], override=o, approve=True, note="Согласен")
    state.refresh_from_db()
    assert state.level == "medium" and state.assessed_level == a.level and state.override_id == o.pk
    assert AuditEvent.objects.filter(action="assessment.override_countersign").count() == 1
    with pytest.raises(DomainError):
        services.level_override_decide(
            actor=personas["regional_admin"], override=o, approve=False, note="Передумали полностью"
        )


def test_the_head_does_not_countersign_their_own_override(personas: dict[str, Any], case: Case) -> None:
    a = services.assessment_record(actor=personas["head"], case=case, kind="risk", answers=RISKY)
    o = services.level_override_request(
        actor=personas["head"], assessment=a, level="low", reason="Причина, которую видит руководитель"
    )
    with pytest.raises(PermissionDeniedError):
        services.level_override_decide(actor=personas["head"], override=o, approve=True)
    services.level_override_decide(actor=personas["regional_admin"], override=o, approve=True)
    assert CaseAssessmentState.objects.get(case=case).level == "low"


def test_a_new_assessment_ends_the_override_and_refuses_a_pending_one(personas: dict[str, Any], case: Case) -> None:
    a = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=RISKY)
    o = services.level_override_request(
        actor=personas["officer"], assessment=a, level="medium", reason="Новые обстоятельства в семье"
    )
    b = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=LOW)
    assert LevelOverride.objects.get(pk=o.pk).status == OverrideStatus.REFUSED
    assert CaseAssessmentState.objects.get(case=case).level == b.level == "low"
    with pytest.raises(DomainError):  # only the latest may be overridden
        services.level_override_request(
            actor=personas["officer"], assessment=a, level="high", reason="Старое задание пересмотреть"
        )


def test_triggers_make_a_reassessment_due_and_the_next_assessment_answers_them(
    personas: dict[str, Any], case: Case
) -> None:
    today = local_today()
    services.assessment_record(
        actor=personas["officer"], case=case, kind="risk", answers=LOW, assessed_on=today - dt.timedelta(days=10)
    )
    assert services.reassessment_scan(today=today)["triggers"] == 0
    Violation.objects.create(
        case=case,
        kind="missed_report",
        source="officer",
        occurred_on=today - dt.timedelta(days=2),
        description="Не явился",
        status=ViolationStatus.CANDIDATE,
    )
    assert services.reassessment_scan(today=today)["triggers"] == 0  # a candidate is not a violation yet
    Violation.objects.filter(case=case).update(status=ViolationStatus.CONFIRMED)
    case.person.employment_status = "employed" if case.person.employment_status != "employed" else "unemployed"
    case.person.save()
    counts = services.reassessment_scan(today=today)
    assert counts["triggers"] == 2
    assert services.reassessment_scan(today=today)["triggers"] == 0  # idempotent
    state = CaseAssessmentState.objects.get(case=case)
    assert state.due_on == today and state.due_reason == DueReason.EVENT
    new = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=LOW)
    assert new.reason in ("violation", "change_of_work")
    assert not ReassessmentTrigger.objects.filter(case=case, resolved_by__isnull=True).exists()
    due = CaseAssessmentState.objects.get(case=case).due_on
    assert due is not None and due > today


def test_the_scan_gives_new_cases_a_first_assessment_due(personas: dict[str, Any], case: Case) -> None:
    assert services.reassessment_scan()["states"] >= 1
    state = CaseAssessmentState.objects.get(case=case)
    assert state.due_reason == DueReason.INITIAL and state.due_on == case.registered_on


def test_pages_show_the_level_reasons_breakdown_and_changes(personas: dict[str, Any], case: Case) -> None:
    client = web_client(personas["officer"])
    page = client.get(reverse("assessments:new_risk", args=[case.pk]))
    assert (
        page.status_code == 200
        and 'value="theft"' in page.content.decode()
        and "Filled from the case file" in page.content.decode()
    )
    post = client.post(reverse("assessments:new_risk", args=[case.pk]), {**RISKY, "note": ""})
    assert post.status_code == 302
    first = Assessment.objects.get()
    client.post(reverse("assessments:new_risk", args=[case.pk]), {**LOW})
    second = Assessment.objects.exclude(pk=first.pk).get()
    detail = client.get(reverse("assessments:detail", args=[case.pk, second.pk])).content.decode()
    assert 'id="assessment-changes"' in detail and 'id="detail-breakdown"' in detail
    # The breakdown shows the answers in the reader's language, whatever the assessor's was.
    url = reverse("assessments:detail", args=[case.pk, first.pk])
    assert "Кража" in web_client(personas["officer"], "ru").get(url).content.decode()
    assert "Ұрлық" in web_client(personas["officer"], "kk").get(url).content.decode()
    overview = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="current-level"' in overview and "Low" in overview
    bad = client.post(reverse("assessments:new_risk", args=[case.pk]), {**RISKY, "age": "٤٠٠"})
    assert bad.status_code == 200 and Assessment.objects.count() == 2
    assert client.get(reverse("assessments:detail", args=[case.pk, 999999])).status_code == 404
    other = web_client(personas["other_region"])
    assert other.get(reverse("assessments:case", args=[case.pk])).status_code == 404


def test_the_api_records_reads_compares_and_refuses(personas: dict[str, Any], case: Case) -> None:
    client = api_client(personas["officer"])
    url = reverse("api-case-assessments", args=[case.pk])
    prefill = client.get(reverse("api-case-assessment-prefill", args=[case.pk]) + "?kind=risk").json()
    assert prefill["prefilled"]["offence"] == "theft" and prefill["instrument"]["key"] == "static_risk"
    made = client.post(url, {"kind": "risk", "answers": RISKY}, format="json")
    assert made.status_code == 201, made.json()
    again = client.post(url, {"kind": "risk", "answers": LOW}, format="json").json()
    state = client.get(url).json()
    assert state["level"] == "low" and state["supervision_level"] == "low" and state["risk"]["id"] == again["id"]
    compared = client.get(
        reverse("api-case-assessment", args=[case.pk, again["id"]]) + f"?with={made.json()['id']}"
    ).json()
    assert any(c["code"] == "level" for c in compared["changes"])
    for body in (
        {"kind": "risk", "answers": {**RISKY, "age": "abc"}},
        {"kind": "risk", "answers": {"age": {"nested": [1, 2]}}},
        {"kind": "other", "answers": RISKY},
        {"kind": "risk", "answers": RISKY, "assessed_on": "9999-12-31"},
        {"kind": "risk", "answers": {f"k{i}": i for i in range(500)}},
    ):
        answer = client.post(url, body, format="json")
        assert answer.status_code == 400, (body, answer.status_code)
    assert Assessment.objects.count() == 2
    assert (
        api_client(personas["analyst"]).post(url, {"kind": "risk", "answers": RISKY}, format="json").status_code == 404
    )
    assert (
        api_client(personas["colleague"]).post(url, {"kind": "risk", "answers": RISKY}, format="json").status_code
        == 403
    )
    assert Assessment.objects.count() == 2
    override = client.post(
        reverse("api-case-assessment-override", args=[case.pk, again["id"]]),
        {"level": "high", "reason": "Угрозы потерпевшей со слов соседей"},
        format="json",
    )
    assert override.status_code == 201
    decide = reverse("api-case-assessment-override-decision", args=[case.pk, override.json()["id"]])
    assert client.post(decide, {"approve": True}, format="json").status_code == 404  # an officer does not countersign
    assert api_client(personas["head"]).post(decide, {"approve": True}, format="json").status_code == 200
    assert client.get(url).json()["level"] == "high"


def test_the_work_queue_lists_due_assessments_and_overrides_to_countersign(
    personas: dict[str, Any], case: Case
) -> None:
    services.reassessment_scan()  # the case is due its first assessment
    officer_queue = web_client(personas["officer"]).get(reverse("workqueue:today") + "?kind=assessment")
    assert officer_queue.status_code == 200 and case.number in officer_queue.content.decode()
    a = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=RISKY)
    services.level_override_request(
        actor=personas["officer"], assessment=a, level="medium", reason="Стабильная работа и семья, поддержка"
    )
    head = web_client(personas["head"]).get(reverse("workqueue:today") + "?kind=countersign").content.decode()
    assert case.number in head and reverse("assessments:override_decide", args=[case.pk, a.overrides.get().pk]) in head
    api = api_client(personas["head"]).get(reverse("api-work-queue") + "?kind=countersign").json()
    assert api["counts"] and any(i["kind"] == "countersign" for i in api["items"])
    # The officer who asked sees nothing to countersign.
    assert "countersign" not in [
        i["kind"] for i in api_client(personas["officer"]).get(reverse("api-work-queue")).json()["items"]
    ]


def test_assessments_and_decided_overrides_are_in_the_case_story(personas: dict[str, Any], case: Case) -> None:
    from openprobation.core.timeline import timeline_page

    a = services.assessment_record(actor=personas["officer"], case=case, kind="risk", answers=RISKY)
    o = services.level_override_request(
        actor=personas["officer"], assessment=a, level="medium", reason="Работает, семья поддерживает"
    )
    services.level_override_decide(actor=personas["head"], override=o, approve=True, note="Согласен")
    refs = [e.ref for e in timeline_page(user=personas["officer"], case=case, page_size=50).entries]
    assert f"assessments:assessment:{a.pk}" in refs and f"assessments:override:{o.pk}" in refs
    person_refs = [e.ref for e in timeline_page(user=personas["officer"], person=case.person, page_size=50).entries]
    assert f"assessments:assessment:{a.pk}" in person_refs

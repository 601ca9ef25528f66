"""The hourly scan: plans opened by the rulebook's months before release (a new rule version
changes it), the receiving office told once at the rulebook's days before release, and the plan
handed over exactly once on the release date, the programme carried forward."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseType, SentenceKind
from openprobation.core.timeutil import local_today
from openprobation.programmes.models import Programme
from openprobation.releases.handover import release_planning_scan
from openprobation.releases.models import Area, EventKind, HandoverKind, PlanStatus, ReleasePlan
from openprobation.releases.services import HandoverDetails, release_plan_open, release_plan_set_handover
from openprobation.releases.tests.conftest import prison_case, programme_of
from openprobation.rules.models import Rule, RuleStatus
from openprobation.rules.rulebook import invalidate

pytestmark = pytest.mark.django_db


def _receiving(personas, plan, kind=HandoverKind.POST_PENITENTIARY, **decision):
    return release_plan_set_handover(
        actor=personas["officer"],
        plan=plan,
        data=HandoverDetails(receiving_office_id=personas["office_b"].pk, handover_kind=kind, **decision),
    )


def test_the_scan_opens_plans_from_the_rulebook_months_before_release(personas):
    today = local_today()
    inside = prison_case(personas, release_date=today + relativedelta(months=6))
    outside = prison_case(personas, release_date=today + relativedelta(months=6) + dt.timedelta(days=1))
    finished = prison_case(personas, release_date=today + dt.timedelta(days=40), status=CaseStatus.CLOSED)
    sentence = prison_case(personas, case_type=CaseType.SENTENCE, sentence_kind=SentenceKind.CONDITIONAL)

    counts = release_planning_scan(today=today)

    assert counts["opened"] == 1
    plan = ReleasePlan.objects.get(case=inside)
    assert (plan.opens_on, plan.rule_key, plan.rule_version) == (today, "penitentiary.release_preparation", 1)
    assert sorted(plan.items.values_list("area", flat=True)) == sorted(Area.values)
    assert plan.opened_by is None
    assert not ReleasePlan.objects.filter(case__in=[outside, finished, sentence]).exists()
    assert AuditEvent.objects.filter(action="release.plan_open", subject_id=str(inside.pk)).count() == 1
    assert release_planning_scan(today=today)["opened"] == 0  # idempotent
    assert ReleasePlan.objects.count() == 1


def test_a_new_rule_version_changes_when_plans_open(personas):
    today = local_today()
    case = prison_case(personas, release_date=today + relativedelta(months=7))
    assert release_planning_scan(today=today)["opened"] == 0
    Rule.objects.filter(key="penitentiary.release_preparation", version=1).update(
        effective_to=today - dt.timedelta(days=1)
    )
    Rule.objects.create(
        key="penitentiary.release_preparation",
        version=2,
        title="Release preparation: eight months",
        effective_from=today,
        params={"months_before_release": 8},
        source="Test order",
        status=RuleStatus.UNCONFIRMED,
    )
    invalidate()
    try:
        assert release_planning_scan(today=today)["opened"] == 1
        plan = ReleasePlan.objects.get(case=case)
        assert case.release_date is not None
        assert (plan.rule_version, plan.opens_on) == (2, case.release_date - relativedelta(months=8))
    finally:
        invalidate()


def test_the_receiving_office_is_told_once_at_the_notice_days(personas, plan):
    _receiving(personas, plan)
    release = plan.release_date
    assert release_planning_scan(today=release - dt.timedelta(days=31))["notified"] == 0
    plan.refresh_from_db()
    assert plan.notified_at is None
    assert release_planning_scan(today=release - dt.timedelta(days=30))["notified"] == 1
    plan.refresh_from_db()
    assert plan.notified_at is not None
    assert (plan.notice_due_on, plan.notice_rule_key) == (release - dt.timedelta(days=30), "release.handover_notice")
    assert release_planning_scan(today=release - dt.timedelta(days=29))["notified"] == 0
    assert AuditEvent.objects.filter(action="release.notice").count() == 1
    assert plan.events.filter(kind=EventKind.NOTIFIED).count() == 1


def test_no_notice_without_a_receiving_office(personas, plan):
    assert release_planning_scan(today=plan.release_date - dt.timedelta(days=10))["notified"] == 0
    plan.refresh_from_db()
    assert plan.notified_at is None


@pytest.fixture
def released_today(personas):
    """A case whose release date is today (the new case is opened as of today: nothing is dated in
    the future), with its plan opened."""
    case = prison_case(personas, release_in_days=0)
    return case, release_plan_open(actor=personas["officer"], case=case)


def test_handover_on_the_release_date_exactly_once_with_the_programme(personas, released_today):
    case, plan = released_today
    programme = programme_of(case, personas["officer"])
    _receiving(personas, plan)
    release = plan.release_date

    before = release_planning_scan(today=release - dt.timedelta(days=1))
    assert before["handed_over"] == 0
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    assert not Case.objects.filter(person=case.person, case_type=CaseType.POST_PENITENTIARY).exists()

    counts = release_planning_scan(today=release)
    assert counts["handed_over"] == 1
    plan.refresh_from_db()
    new_case = plan.handed_over_case
    assert new_case is not None
    assert (plan.status, plan.released_on) == (PlanStatus.HANDED_OVER, release)
    assert (new_case.case_type, new_case.office, new_case.person) == (
        CaseType.POST_PENITENTIARY,
        personas["office_b"],
        case.person,
    )
    assert new_case.release_date == release
    assert new_case.status == CaseStatus.AWAITING_REGISTRATION
    programme.refresh_from_db()
    assert (programme.case, programme.office) == (new_case, personas["office_b"])
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.COMPLETED, release)
    event = AuditEvent.objects.get(action="release_plan.transition")
    assert event.actor_id is None
    assert event.details["new_case_id"] == new_case.pk
    assert event.details["opened_in_name_of"] == personas["other_head"].pk

    again = release_planning_scan(today=release)
    assert again["handed_over"] == 0
    assert release_planning_scan(today=release + dt.timedelta(days=1))["handed_over"] == 0
    assert Case.objects.filter(person=case.person, case_type=CaseType.POST_PENITENTIARY).count() == 1


def test_a_plan_without_a_receiving_office_is_blocked_and_left_open(personas, released_today):
    _case, plan = released_today
    counts = release_planning_scan(today=plan.release_date)
    assert (counts["handed_over"], counts["blocked"]) == (0, 1)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN


@pytest.mark.parametrize(("kind", "sentence_kind"), [("parole", "parole"), ("deferral", "deferral")])
def test_parole_and_deferral_hand_over_to_a_sentence_case(personas, released_today, kind, sentence_kind):
    _case, plan = released_today
    today = local_today()
    _receiving(
        personas,
        plan,
        kind=kind,
        decision_court="Алматы облыстық соты",
        decision_number="4-15/2026",
        decision_date=today - dt.timedelta(days=10),
        decision_effective_date=today - dt.timedelta(days=5),
        term_months=14,
    )
    assert release_planning_scan(today=plan.release_date)["handed_over"] == 1
    plan.refresh_from_db()
    new_case = plan.handed_over_case
    assert new_case is not None
    assert (new_case.case_type, new_case.sentence_kind, new_case.office) == (
        CaseType.SENTENCE,
        sentence_kind,
        personas["office_b"],
    )
    assert new_case.decision_number == "4-15/2026"
    if kind == "parole":
        assert new_case.control_start == plan.release_date  # control for the unserved part from release


def test_parole_without_the_decision_is_blocked(personas, released_today):
    _case, plan = released_today
    _receiving(personas, plan, kind="parole")
    assert release_planning_scan(today=plan.release_date)["blocked"] == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN


def test_a_changed_release_date_is_followed_and_recorded(personas, case, plan):
    later = local_today()  # released earlier than expected
    Case.objects.filter(pk=case.pk).update(release_date=later)
    assert release_planning_scan(today=local_today())["dates_changed"] == 1
    plan.refresh_from_db()
    assert plan.release_date == later
    event = plan.events.get(kind=EventKind.DATE_CHANGED)
    assert event.changes["release_date"][1] == later.isoformat()
    assert release_planning_scan(today=local_today())["dates_changed"] == 0
    # The handover waits for the new date.
    _receiving(personas, plan)
    assert release_planning_scan(today=later - dt.timedelta(days=1))["handed_over"] == 0
    assert release_planning_scan(today=later)["handed_over"] == 1


def test_a_programme_already_closed_stays_where_it_was(personas, released_today):
    case, plan = released_today
    programme = programme_of(case, personas["officer"])
    Programme.objects.filter(pk=programme.pk).update(status="closed")
    _receiving(personas, plan)
    release_planning_scan(today=plan.release_date)
    programme.refresh_from_db()
    assert programme.case == case


def test_the_scheduled_task_runs_the_scan(personas):
    from openprobation.releases.tasks import run_release_planning  # noqa: PLC0415

    case = prison_case(personas, release_in_days=20)
    counts = run_release_planning()
    assert counts == {"opened": 1, "dates_changed": 0, "notified": 0, "handed_over": 0, "blocked": 0}
    assert ReleasePlan.objects.filter(case=case).exists()

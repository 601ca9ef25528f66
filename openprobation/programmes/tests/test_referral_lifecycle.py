"""The referral lifecycle through the services: the office drafts, sends and cancels; the partner
accepts, declines, starts, updates and completes; illegal moves and refusals change nothing; the
outcome flows into the programme measure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.exceptions import DomainError, PermissionDeniedError, TransitionError
from openprobation.core.timeutil import local_today
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import MeasureStatus, Referral, ReferralEvent, ReferralStatus
from openprobation.programmes.tests import referral_world
from openprobation.programmes.tests.referral_world import World, make_org
from openprobation.rules.rulebook import add_working_days, rule

pytestmark = pytest.mark.django_db
world = referral_world.world  # the fixture


def _create(w: World, *, send: bool = True, actor: Any = None, **data: Any) -> Referral:
    values: dict[str, Any] = {"organisation": w.org, "request": "Жұмысқа орналастыруға көмек"}
    values.update(data)
    return services.referral_create(
        actor=actor or w["officer"],
        case=w.case,
        measure=w.measure,
        data=services.ReferralInput(**values),
        send=send,
    )


def _act(w: World, referral: Referral, action: str, *, actor: Any = None, **kw: Any) -> Referral:
    return services.referral_partner_act(actor=actor or w.partner, referral=referral, action=action, **kw)


def _state(referral: Referral) -> tuple[Any, ...]:
    referral.refresh_from_db()
    return (referral.status, referral.answered_at, referral.outcome, referral.events.count())


def test_draft_then_send_sets_the_deadlines_from_the_rulebook(world):
    draft = _create(world, send=False)
    assert draft.status == ReferralStatus.DRAFT
    assert draft.number.startswith(f"R-{world['office_a'].code}-{local_today().year}-")
    assert draft.answer_due is None

    sent = services.referral_send(actor=world["officer"], referral=draft)
    today = local_today()
    params = rule("programmes.referral_deadlines", on=today)
    assert sent.status == ReferralStatus.SENT
    assert sent.answer_due == add_working_days(today, params["answer_working_days"])
    assert sent.complete_due == today + dt.timedelta(days=params["complete_days"])
    assert (sent.rule_key, sent.rule_version) == ("programmes.referral_deadlines", params.version)
    assert [e.to_status for e in sent.events.order_by("id")] == ["draft", "sent"]
    assert AuditEvent.objects.filter(action="referral.transition", subject_id=str(sent.pk)).count() == 1


def test_numbers_follow_each_other_per_office_and_year(world):
    first = _create(world, send=False)
    services.referral_cancel(actor=world["officer"], referral=first, reason="Қате")
    second = _create(world, send=False)
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1


def test_an_earlier_completion_date_is_kept_and_bounds_are_checked(world):
    today = local_today()
    sent = _create(world, complete_due=today + dt.timedelta(days=10))
    assert sent.complete_due == today + dt.timedelta(days=10)
    sent.refresh_from_db()
    assert sent.complete_due_given is True
    services.referral_cancel(actor=world["officer"], referral=sent, reason="Қайта жіберу")
    for bad in (today, dt.date(9999, 12, 31), dt.date(1, 1, 1), today + dt.timedelta(days=400)):
        with pytest.raises(DomainError) as err:
            _create(world, complete_due=bad)
        assert err.value.field == "complete_due"
    assert Referral.objects.filter(status=ReferralStatus.SENT).count() == 0


def test_the_organisation_must_be_active_offer_the_measure_and_serve_the_district(world):
    world.org.active = False
    world.org.save()
    with pytest.raises(DomainError, match="no longer active"):
        _create(world)
    offers_other = make_org(world["office_a"], name="Емхана", kind="health", services=["health_care"])
    with pytest.raises(DomainError, match="does not offer"):
        _create(world, organisation=offers_other)
    elsewhere = make_org(world["office_b"], name="Басқа ауданның орталығы")
    with pytest.raises(DomainError, match="does not serve"):
        _create(world, organisation=elsewhere)
    assert not Referral.objects.exists()


def test_one_referral_in_work_per_measure(world):
    _create(world)
    with pytest.raises(DomainError, match="already has a referral"):
        _create(world, organisation=world.org_b)


def test_the_full_lifecycle_and_the_measure_follows(world):
    referral = _create(world)
    referral = _act(world, referral, "accept")
    world.measure.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.answered_at is not None
    assert world.measure.status == MeasureStatus.IN_PROGRESS
    assert world.measure.organisation_id == world.org.pk

    referral = _act(world, referral, "start")
    referral = _act(world, referral, "update", note="Екі бос орын ұсынылды")
    assert referral.events.filter(kind="update", note="Екі бос орын ұсынылды").exists()
    referral = _act(world, referral, "complete", note="Жұмысқа орналасты", achieved=True)
    world.measure.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert (world.measure.status, world.measure.outcome) == (MeasureStatus.DONE, "Жұмысқа орналасты")
    assert world.measure.outcome_on == local_today()


def test_completed_without_the_goal_makes_the_measure_not_done(world):
    referral = _act(world, _create(world), "accept")
    _act(world, referral, "complete", note="Келмеді", achieved=False)
    world.measure.refresh_from_db()
    assert world.measure.status == MeasureStatus.NOT_DONE


def test_declined_sends_the_measure_back_to_planned_with_a_note(world):
    referral = _act(world, _create(world), "decline", note="Орын жоқ")
    world.measure.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED and referral.decline_reason == "Орын жоқ"
    assert world.measure.status == MeasureStatus.PLANNED
    assert referral.number in world.measure.outcome and "Орын жоқ" in world.measure.outcome
    # The officer may now refer the measure elsewhere.
    again = _create(world, organisation=world.org_b)
    assert again.status == ReferralStatus.SENT


def test_reasons_and_outcomes_are_required(world):
    referral = _create(world)
    with pytest.raises(DomainError) as err:
        _act(world, referral, "decline", note="  ")
    assert err.value.field == "note"
    referral = _act(world, referral, "accept")
    with pytest.raises(DomainError) as err:
        _act(world, referral, "complete", note="Бітті")
    assert err.value.field == "achieved"
    with pytest.raises(DomainError):
        _act(world, referral, "complete", note="", achieved=True)
    with pytest.raises(DomainError):
        _act(world, referral, "dance")
    with pytest.raises(DomainError):
        _act(world, referral, "update", note="x" * 5000)
    with pytest.raises(DomainError):
        services.referral_cancel(actor=world["officer"], referral=referral, reason="")
    assert _state(referral)[0] == ReferralStatus.ACCEPTED


def test_illegal_moves_are_refused_and_change_nothing(world):
    referral = _create(world)
    # The partner cannot send (it is the office's move) nor start before accepting.
    with pytest.raises(PermissionDeniedError):
        services.referral_send(actor=world.partner, referral=referral)
    with pytest.raises(TransitionError):
        _act(world, referral, "start")
    # The officer cannot accept.
    before = _state(referral)
    with pytest.raises(PermissionDeniedError):
        _act(world, referral, "accept", actor=world["officer"])
    assert _state(referral) == before
    # Completed is final.
    referral = _act(world, _act(world, referral, "accept"), "complete", note="Бітті", achieved=True)
    before = _state(referral)
    for action, kw in (("accept", {}), ("decline", {"note": "x"}), ("update", {"note": "x"})):
        with pytest.raises(DomainError):
            _act(world, referral, action, **kw)
    with pytest.raises(TransitionError):
        services.referral_cancel(actor=world["officer"], referral=referral, reason="Кеш")
    assert _state(referral) == before


@pytest.mark.parametrize(
    "who",
    ["other_district", "other_head", "other_region", "court_liaison", "analyst", "auditor", "sysadmin", "partner"],
)
def test_office_moves_are_refused_to_others(world, who):
    draft = _create(world, send=False)
    before = _state(draft)
    with pytest.raises((PermissionDeniedError, Case.DoesNotExist, DomainError)):
        services.referral_send(actor=world[who], referral=draft)
    with pytest.raises((PermissionDeniedError, Case.DoesNotExist, DomainError)):
        services.referral_cancel(actor=world[who], referral=draft, reason="Жоқ")
    with pytest.raises((PermissionDeniedError, DomainError)):
        _create(world, send=False, actor=world[who])
    assert _state(draft) == before
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["officer", "head", "regional_admin", "court_liaison", "auditor", "sysadmin", "partner_b"]
)
def test_partner_moves_are_refused_to_anyone_but_the_organisation(world, who):
    referral = _create(world)
    actor = world.partner_b if who == "partner_b" else world[who]
    before = _state(referral)
    for action, kw in (("accept", {}), ("decline", {"note": "x"}), ("update", {"note": "x"})):
        with pytest.raises(PermissionDeniedError):
            _act(world, referral, action, actor=actor, **kw)
    assert _state(referral) == before


def test_a_partner_cannot_touch_a_draft(world):
    draft = _create(world, send=False)
    with pytest.raises(PermissionDeniedError):
        _act(world, draft, "accept")
    assert _state(draft)[0] == ReferralStatus.DRAFT


def test_a_case_transferred_away_is_refused_to_the_former_office(world):
    draft = _create(world, send=False)
    Case.objects.filter(pk=world.case.pk).update(office=world["office_b"])
    with pytest.raises(PermissionDeniedError):
        services.referral_send(actor=world["officer"], referral=draft)
    with pytest.raises(PermissionDeniedError):
        services.referral_cancel(actor=world["head"], referral=draft, reason="Ауысты")
    assert _state(draft)[0] == ReferralStatus.DRAFT


def test_a_finished_case_takes_no_new_referral(world):
    Case.objects.filter(pk=world.case.pk).update(status=CaseStatus.CLOSED)
    world.case.refresh_from_db()
    with pytest.raises(DomainError):
        _create(world)
    assert not Referral.objects.exists()


def test_cancelling_a_sent_referral_puts_an_accepted_measure_back(world):
    referral = _act(world, _create(world), "accept")
    services.referral_cancel(actor=world["officer"], referral=referral, reason="Адам көшіп кетті")
    world.measure.refresh_from_db()
    assert world.measure.status == MeasureStatus.PLANNED
    assert ReferralEvent.objects.filter(referral=referral, to_status="cancelled", note="Адам көшіп кетті").exists()

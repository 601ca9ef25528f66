"""The hourly deadline scan: a reminder to the partner before each deadline (once), escalation of
an overdue referral to the head of office (once), the work-queue source and the overdue pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkScope
from openprobation.notifications.models import Message
from openprobation.programmes import referral_services as services
from openprobation.programmes.models import Referral, ReferralEvent
from openprobation.programmes.referral_wiring import overdue_referrals
from openprobation.programmes.tests import referral_world
from openprobation.programmes.tests.referral_world import World
from openprobation.rules.rulebook import rule

pytestmark = pytest.mark.django_db
world = referral_world.world  # the fixture


def _sent(w: World) -> Referral:
    return services.referral_create(
        actor=w["officer"],
        case=w.case,
        measure=w.measure,
        data=services.ReferralInput(organisation=w.org, request="Көмек"),
        send=True,
    )


def _set(referral: Referral, **fields: Any) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(**fields)
    referral.refresh_from_db()
    return referral


def test_a_reminder_goes_once_before_the_answer_deadline(world):
    today = local_today()
    ahead = rule("programmes.referral_deadlines", on=today)["remind_before_days"]
    referral = _set(_sent(world), answer_due=today + dt.timedelta(days=ahead))
    first = services.referral_deadline_scan()
    second = services.referral_deadline_scan()
    assert first["reminded"] == 1 and second["reminded"] == 0
    messages = Message.objects.filter(dedupe_key__startswith=f"referral:{referral.pk}:answer:")
    assert messages.count() == 1
    message = messages.get()
    assert message.to == world.org.email and message.channel == "email" and message.language == "kk"
    assert referral.number in message.body
    assert ReferralEvent.objects.filter(referral=referral, kind="reminder").count() == 1


def test_a_reminder_goes_once_before_the_completion_deadline(world):
    today = local_today()
    referral = services.referral_partner_act(actor=world.partner, referral=_sent(world), action="accept")
    referral = _set(referral, complete_due=today)
    assert services.referral_deadline_scan()["reminded"] == 1
    assert services.referral_deadline_scan()["reminded"] == 0
    assert Message.objects.filter(dedupe_key=f"referral:{referral.pk}:complete:{today.isoformat()}").count() == 1


def test_nothing_is_due_far_ahead(world):
    _set(_sent(world), answer_due=local_today() + dt.timedelta(days=20))
    assert services.referral_deadline_scan() == {"reminded": 0, "escalated": 0}
    assert not Message.objects.exists()


def test_an_unanswered_referral_is_escalated_once(world):
    referral = _set(_sent(world), answer_due=local_today() - dt.timedelta(days=1))
    assert services.referral_deadline_scan()["escalated"] == 1
    assert services.referral_deadline_scan()["escalated"] == 0
    referral.refresh_from_db()
    assert referral.escalated_at is not None
    assert ReferralEvent.objects.filter(referral=referral, kind="escalation").count() == 1
    assert AuditEvent.objects.filter(action="referral.escalate", subject_id=str(referral.pk)).count() == 1


def test_the_head_of_office_is_told_by_e_mail_once(world):
    from openprobation.accounts.models import User  # noqa: PLC0415

    User.objects.filter(pk=world["head"].pk).update(email="head@probation.example.kz", language="kk")
    User.objects.filter(pk=world["other_head"].pk).update(email="other@probation.example.kz")
    referral = _set(_sent(world), answer_due=local_today() - dt.timedelta(days=1))
    services.referral_deadline_scan()
    services.referral_deadline_scan()
    told = Message.objects.filter(purpose="referral_escalation")
    assert list(told.values_list("to", flat=True)) == ["head@probation.example.kz"]
    assert referral.number in told.get().body and told.get().language == "kk"


def test_an_uncompleted_referral_is_escalated_and_an_answered_one_on_time_is_not(world):
    referral = services.referral_partner_act(actor=world.partner, referral=_sent(world), action="accept")
    _set(referral, answer_due=local_today() - dt.timedelta(days=3))  # answered: the answer deadline no longer counts
    assert services.referral_deadline_scan()["escalated"] == 0
    _set(referral, complete_due=local_today() - dt.timedelta(days=1))
    assert services.referral_deadline_scan()["escalated"] == 1


def test_the_work_queue_shows_overdue_referrals_to_the_head_and_the_officer(world):
    from openprobation.cases.models import Case  # noqa: PLC0415

    referral = _set(_sent(world), answer_due=local_today() - dt.timedelta(days=2))
    services.referral_deadline_scan()
    today = local_today()
    for user, cases in (
        (world["head"], Case.objects.filter(office=world["office_a"])),
        (world["officer"], Case.objects.filter(officer=world["officer"])),
    ):
        batch = overdue_referrals(WorkScope(user=user, cases=cases, today=today))
        assert batch.count == 1 and batch.overdue == 1
        item = batch.items[0]
        assert item.key == f"referral:{referral.pk}" and item.overdue
        assert world.org.name in item.title and item.detail
    other = overdue_referrals(
        WorkScope(user=world["other_head"], cases=Case.objects.filter(office=world["office_b"]), today=today)
    )
    assert other.count == 0


def test_the_pages_show_the_overdue_state(client, world):
    referral = _set(_sent(world), answer_due=local_today() - dt.timedelta(days=2))
    services.referral_deadline_scan()
    client.force_login(world["head"])
    page = client.get(reverse("programmes:referral_list") + "?view=overdue")
    assert page.status_code == 200
    text = page.content.decode()
    assert referral.number in text and "Overdue" in text and "Escalated to the head of office" in text
    detail = client.get(reverse("programmes:referral_detail", args=[world.case.pk, referral.pk]))
    assert "Overdue: escalated to the head of office" in detail.content.decode()


def test_the_case_overview_counts_the_referrals(client, world):
    _set(_sent(world), answer_due=local_today() - dt.timedelta(days=2))
    client.force_login(world["officer"])
    page = client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    assert "Referrals to partners" in page and "1 overdue" in page
    assert reverse("programmes:case_referrals", args=[world.case.pk]) in page

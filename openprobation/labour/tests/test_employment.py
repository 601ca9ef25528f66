"""The employment duty: started when the court's duty is in force, its deadline, referrals, offers
and answers (a refusal without good reason makes a violation candidate), the daily job."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CaseStatus
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.labour.models import DutyStatus, EmploymentDuty, JobOffer, JobReferral
from openprobation.labour.services import (
    employment_deadline_scan,
    employment_record,
    job_offer_answer,
    job_offer_record,
    job_referral_record,
)
from openprobation.labour.tests.conftest import rol_case
from openprobation.testing.clients import api_client

pytestmark = pytest.mark.django_db


def _referral(personas, case, who="officer"):
    return job_referral_record(
        actor=personas[who],
        case=case,
        kind="employment_centre",
        organisation="Халықты жұмыспен қамту орталығы",
        issued_on=local_today(),
    )


def _offer(personas, case):
    return job_offer_record(
        actor=personas["officer"],
        case=case,
        employer="«Тазалық» ЖШС",
        position="Аула сыпырушы",
        offered_on=local_today(),
    )


def test_no_duty_without_the_courts_order(personas, case, fakes):
    with pytest.raises(DomainError) as err:
        _referral(personas, case)
    assert err.value.code == "no_work_duty"
    assert not EmploymentDuty.objects.exists() and not JobReferral.objects.exists()


def test_the_first_referral_starts_the_duty_with_its_deadline(personas, case, fakes):
    fakes.work_ordered.add(case.pk)
    referral = _referral(personas, case)
    duty = EmploymentDuty.objects.get(case=case)
    assert referral.duty == duty and duty.status == DutyStatus.SEEKING
    assert duty.deadline == case.effective_date + relativedelta(months=1)
    events = AuditEvent.objects.filter(action__startswith="labour.")
    assert [e.action for e in events] == ["labour.referral"]  # exactly one event
    assert events[0].details["duty_started"]["deadline"] == duty.deadline.isoformat()


def test_a_refusal_without_good_reason_makes_one_violation_candidate(personas, case, fakes):
    fakes.work_ordered.add(case.pk)
    offer = _offer(personas, case)
    job_offer_answer(
        actor=personas["officer"], case=case, offer_id=offer.pk, answer="refused_no_reason", answered_on=local_today()
    )
    assert list(fakes.candidates) == [(case.pk, f"offer:{offer.pk}")]
    assert fakes.candidates[(case.pk, f"offer:{offer.pk}")]["occurred_on"] == local_today()
    # The answer is recorded once; a second answer is refused and makes no second candidate.
    with pytest.raises(DomainError) as err:
        job_offer_answer(
            actor=personas["officer"], case=case, offer_id=offer.pk, answer="accepted", answered_on=local_today()
        )
    assert err.value.code == "answered"
    assert fakes.calls == 1


def test_a_refusal_with_good_reason_needs_the_reason_and_makes_no_candidate(personas, case, fakes):
    fakes.work_ordered.add(case.pk)
    offer = _offer(personas, case)
    with pytest.raises(DomainError) as err:
        job_offer_answer(
            actor=personas["officer"],
            case=case,
            offer_id=offer.pk,
            answer="refused_good_reason",
            answered_on=local_today(),
        )
    assert err.value.field == "reason"
    job_offer_answer(
        actor=personas["officer"],
        case=case,
        offer_id=offer.pk,
        answer="refused_good_reason",
        answered_on=local_today(),
        reason="Денсаулығы бойынша ауыр жұмысқа болмайды",
    )
    assert JobOffer.objects.get().answer == "refused_good_reason"
    assert not fakes.candidates


def test_an_answer_before_the_offer_or_in_the_future_is_refused(personas, case, fakes):
    fakes.work_ordered.add(case.pk)
    offer = _offer(personas, case)
    for day in (offer.offered_on - dt.timedelta(days=1), local_today() + dt.timedelta(days=1)):
        with pytest.raises(DomainError) as err:
            job_offer_answer(
                actor=personas["officer"], case=case, offer_id=offer.pk, answer="accepted", answered_on=day
            )
        assert err.value.field == "answered_on"
    assert JobOffer.objects.get().answer == ""


def test_recording_work_updates_the_duty_and_the_persons_status(personas, case, fakes):
    fakes.work_ordered.add(case.pk)
    employment_record(
        actor=personas["officer"], case=case, status="employed", on=local_today(), employer="«Тазалық» ЖШС"
    )
    duty = EmploymentDuty.objects.get(case=case)
    assert duty.status == DutyStatus.EMPLOYED and duty.employer == "«Тазалық» ЖШС"
    case.person.refresh_from_db()
    assert case.person.employment_status == "employed"
    # Work needs the employer; the same status twice changes nothing.
    with pytest.raises(DomainError):
        employment_record(actor=personas["officer"], case=case, status="studying", on=local_today())
    with pytest.raises(DomainError):
        employment_record(
            actor=personas["officer"], case=case, status="employed", on=local_today(), employer="«Тазалық» ЖШС"
        )


@pytest.mark.parametrize("who", ["other_district", "other_region", "analyst", "auditor", "sysadmin", "court_liaison"])
def test_refused_personas_change_nothing(personas, case, fakes, who):
    fakes.work_ordered.add(case.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError):
        _referral(personas, case, who=who)
    assert not EmploymentDuty.objects.exists() and not JobReferral.objects.exists()
    assert AuditEvent.objects.count() == before


def test_the_daily_job_starts_duties_and_flags_passed_deadlines_once(personas, fakes):
    # Effective on 28.12 → deadline 28.01 (a day every month has): the deadline day itself.
    today = dt.date(local_today().year + 1, 1, 28)
    late = rol_case(personas, start=today - dt.timedelta(days=40), effective_date=today - dt.timedelta(days=40))
    due_today = rol_case(personas, start=today - dt.timedelta(days=31), effective_date=today - relativedelta(months=1))
    not_ordered = rol_case(personas)
    closed = rol_case(personas, status=CaseStatus.COMPLETED)
    fakes.work_ordered.update({late.pk, due_today.pk, closed.pk})
    first = employment_deadline_scan(today=today)
    assert first.duties_started == 2
    assert set(EmploymentDuty.objects.values_list("case_id", flat=True)) == {late.pk, due_today.pk}
    assert not EmploymentDuty.objects.filter(case=not_ordered).exists()
    duty = EmploymentDuty.objects.get(case=late)
    assert list(fakes.candidates) == [(late.pk, f"deadline:{duty.pk}")]
    events = AuditEvent.objects.count()
    again = employment_deadline_scan(today=today)
    assert again.duties_started == 0
    assert EmploymentDuty.objects.count() == 2 and AuditEvent.objects.count() == events
    assert list(fakes.candidates) == [(late.pk, f"deadline:{duty.pk}")]


def test_the_deadline_day_itself_makes_no_candidate(personas, fakes):
    today = local_today()
    case = rol_case(personas, effective_date=today - dt.timedelta(days=5))
    fakes.work_ordered.add(case.pk)
    employment_deadline_scan(today=today)
    assert not fakes.candidates
    EmploymentDuty.objects.filter(case=case).update(deadline=today)
    employment_deadline_scan(today=today)
    assert not fakes.candidates
    employment_deadline_scan(today=today + dt.timedelta(days=1))
    assert len(fakes.candidates) == 1
    # Once the person works, a passed deadline no longer matters.
    EmploymentDuty.objects.filter(case=case).update(status=DutyStatus.EMPLOYED)
    fakes.candidates.clear()
    employment_deadline_scan(today=today + dt.timedelta(days=5))
    assert not fakes.candidates


def test_the_api_shows_the_duty_with_referrals_and_offers(personas, case, fakes):
    fakes.work_ordered.add(case.pk)
    client = api_client(personas["officer"])
    assert client.get(f"/api/v1/cases/{case.pk}/labour/employment/").json()["duty"] is None
    r = client.post(
        f"/api/v1/cases/{case.pk}/labour/referrals/",
        {"kind": "employer", "organisation": "«Тазалық» ЖШС", "issued_on": local_today().isoformat()},
        format="json",
    )
    assert r.status_code == 201, r.content
    o = client.post(
        f"/api/v1/cases/{case.pk}/labour/offers/",
        {
            "employer": "«Тазалық» ЖШС",
            "position": "Аула сыпырушы",
            "offered_on": local_today().isoformat(),
            "referral": r.json()["id"],
        },
        format="json",
    )
    assert o.status_code == 201, o.content
    a = client.post(
        f"/api/v1/cases/{case.pk}/labour/offers/{o.json()['id']}/answer/",
        {"answer": "refused_no_reason", "answered_on": local_today().isoformat()},
        format="json",
    )
    assert a.status_code == 200, a.content
    duty = client.get(f"/api/v1/cases/{case.pk}/labour/employment/").json()["duty"]
    assert duty["status"] == "seeking" and len(duty["referrals"]) == 1
    assert duty["offers"][0]["answer"] == "refused_no_reason" and duty["offers"][0]["referral"] == r.json()["id"]
    assert (case.pk, f"offer:{o.json()['id']}") in fakes.candidates
    # An offer of another case is not found; a referral of another case is a bad value.
    other = rol_case(personas)
    fakes.work_ordered.add(other.pk)
    assert (
        client.post(
            f"/api/v1/cases/{other.pk}/labour/offers/{o.json()['id']}/answer/",
            {"answer": "accepted", "answered_on": local_today().isoformat()},
            format="json",
        ).status_code
        == 404
    )
    bad = client.post(
        f"/api/v1/cases/{other.pk}/labour/offers/",
        {"employer": "X", "position": "Y", "offered_on": local_today().isoformat(), "referral": r.json()["id"]},
        format="json",
    )
    assert bad.status_code == 400 and "referral" in bad.json()["errors"]


def test_the_scheduled_task_runs_the_scan(personas, fakes):
    from openprobation.labour.tasks import check_employment_deadlines

    case = rol_case(personas)
    fakes.work_ordered.add(case.pk)
    assert check_employment_deadlines() == {"duties_started": 1, "candidates": 1}
    assert check_employment_deadlines() == {"duties_started": 0, "candidates": 1}
    assert EmploymentDuty.objects.count() == 1 and len(fakes.candidates) == 1


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("referrals/", {"kind": "employment_centre", "organisation": "Орталық", "issued_on": "9999-12-31"}),
        ("referrals/", {"kind": "employment_centre", "organisation": "Орталық", "issued_on": "1900-01-01"}),
        ("referrals/", {"kind": {"nested": "json"}, "organisation": "Орталық", "issued_on": "2026-01-01"}),
        ("referrals/", {"kind": "employment_centre", "organisation": "x" * 301, "issued_on": "2026-01-01"}),
        ("offers/", {"employer": "A", "position": "B", "offered_on": "２０２６-01-01"}),
        ("offers/", {"employer": "A", "position": "B", "offered_on": "2026-01-01", "referral": 10**30}),
        ("employment/", {"status": "employed", "on": "9999-12-31", "employer": "A"}),
        ("employment/", {"status": "retired", "on": "2026-01-01"}),
    ],
)
def test_odd_input_is_a_clear_400_and_changes_nothing(personas, case, fakes, path, payload):
    fakes.work_ordered.add(case.pk)
    before = AuditEvent.objects.filter(action__startswith="labour.").count()
    response = api_client(personas["officer"]).post(f"/api/v1/cases/{case.pk}/labour/{path}", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert not JobReferral.objects.exists() and not JobOffer.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="labour.").count() == before


def test_the_answer_form_on_the_page(personas, case, fakes):
    from openprobation.testing.clients import web_client

    fakes.work_ordered.add(case.pk)
    offer = _offer(personas, case)
    client = web_client(personas["officer"])
    url = f"/cases/{case.pk}/labour/offers/{offer.pk}/answer/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"answer": "refused_good_reason", "answered_on": local_today().isoformat()})
    assert missing.status_code == 200 and "Give the reason the person refused." in missing.content.decode()
    done = client.post(url, {"answer": "refused_no_reason", "answered_on": local_today().isoformat()})
    assert done.status_code == 302
    assert (case.pk, f"offer:{offer.pk}") in fakes.candidates
    other = rol_case(personas)
    assert client.get(f"/cases/{other.pk}/labour/offers/{offer.pk}/answer/").status_code == 404

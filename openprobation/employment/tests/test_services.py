"""The employment services: quotas (arithmetic in use, cuts below the used places), placements
against the quota, the status history, refusals feeding the employment duty (labour) once."""

from __future__ import annotations

import datetime as dt

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.employment import case_services, services
from openprobation.employment.models import (
    EmploymentReferral,
    EmploymentStatusChange,
    JobQuota,
    Placement,
    ReferralStatus,
    VacancyStatus,
)
from openprobation.employment.tests.conftest import make_case
from openprobation.employment.tests.matrix import centre
from openprobation.enforcement.models import Violation
from openprobation.labour.models import DutyStatus, EmploymentDuty, JobOffer

pytestmark = pytest.mark.django_db


def _quota(world, places, year=None, **kw):
    today = local_today()
    return services.quota_set(
        actor=kw.pop("actor", world["head"]),
        office=kw.pop("office", world["office_a"]),
        employer_id=kw.pop("employer_id", world.employer.pk),
        year=year or today.year,
        places=places,
        decision_number="45/2",
        decision_date=dt.date((year or today.year) - 1, 12, 20),
        **kw,
    )


def _place(world, case=None, on=None, **kw):
    return case_services.placement_start(
        actor=kw.pop("actor", world["officer"]),
        case=case or world.case,
        position=kw.pop("position", "Жүк тиеуші"),
        started_on=on or local_today(),
        employer_id=kw.pop("employer_id", world.employer.pk),
        **kw,
    )


def test_the_head_records_a_quota_and_changes_it_with_one_audit_event_each(world):
    quota = _quota(world, 3)
    assert (quota.places, quota.office, quota.set_by) == (3, world["office_a"], world["head"])
    again = _quota(world, 5)
    assert again.pk == quota.pk and JobQuota.objects.count() == 1
    events = AuditEvent.objects.filter(action="employment.quota_set").order_by("id")
    assert [e.changes.get("places") for e in events] == [[None, 3], [3, 5]]


@pytest.mark.parametrize("who", ["officer", "senior", "court_liaison", "other_head", "analyst", "sysadmin", "partner"])
def test_only_the_head_or_regional_admin_of_the_district_sets_quotas(world, who):
    with pytest.raises(PermissionDeniedError):
        _quota(world, 3, actor=world[who])
    assert not JobQuota.objects.exists()


def test_the_regional_admin_sets_quotas_in_their_region_only(world):
    assert _quota(world, 2, actor=world["regional_admin"]).places == 2
    with pytest.raises(PermissionDeniedError):
        _quota(world, 2, actor=world["regional_admin"], office=world["office_c"])


def test_a_quota_cannot_be_cut_below_the_places_used(world):
    _quota(world, 2)
    _place(world)
    _place(world, case=make_case(world.personas))
    with pytest.raises(DomainError) as refused:
        _quota(world, 1)
    assert refused.value.field == "places" and "2 are already used" in str(refused.value)
    assert JobQuota.objects.get().places == 2
    assert _quota(world, 2).places == 2  # down to exactly the used places is fine


@pytest.mark.parametrize(
    ("field", "value"),
    [("places", "١٢"), ("places", "-1"), ("places", "1e3"), ("places", "9" * 30), ("year", "0001"), ("year", "9999")],
)
def test_odd_quota_numbers_are_refused_clearly(world, field, value):
    kwargs = {"places": 3, "year": local_today().year, field: value}
    with pytest.raises(DomainError) as refused:
        services.quota_set(
            actor=world["head"],
            office=world["office_a"],
            employer_id=world.employer.pk,
            decision_number="1",
            decision_date=dt.date(2025, 1, 1),
            **kwargs,
        )
    assert refused.value.field == field


def test_an_organisation_that_is_not_an_employer_of_the_region_is_refused(world):
    with pytest.raises(DomainError) as refused:
        _quota(world, 3, employer_id=world.centre.pk)
    assert refused.value.field == "employer"


def test_a_placement_within_the_quota_counts_and_beyond_it_is_refused_unless_outside(world):
    quota = _quota(world, 1)
    first = _place(world)
    assert first.quota == quota and services.usage_of(quota).free == 0
    second_case = make_case(world.personas)
    with pytest.raises(DomainError) as refused:
        _place(world, case=second_case)
    assert refused.value.code == "quota_full" and "1 of 1" in str(refused.value)
    assert Placement.objects.filter(case=second_case).count() == 0
    outside = _place(world, case=second_case, outside_quota=True)
    assert outside.quota is None and outside.outside_quota
    assert services.usage_of(quota).used == 1


def test_a_zero_quota_refuses_every_placement_within_it(world):
    _quota(world, 0)
    with pytest.raises(DomainError):
        _place(world)


def test_a_placement_counts_toward_the_quota_of_the_year_it_started(world):
    today = local_today()
    last_year = _quota(world, 1, year=today.year - 1)
    this_year = _quota(world, 1)
    dec31 = dt.date(today.year - 1, 12, 31)
    old = _place(world, on=dec31)
    ended = case_services.placement_end(
        actor=world["officer"], case=world.case, placement_id=old.pk, ended_on=dec31, end_reason="resigned"
    )
    assert ended.quota == last_year
    usage = services.usage_of(last_year)
    assert (usage.used, usage.ended_early) == (1, 1)  # an ended placement keeps its place used
    assert services.usage_of(this_year).used == 0
    assert _place(world, on=today).quota == this_year


def test_a_placement_without_a_quota_is_recorded_without_one(world):
    assert _place(world).quota is None


def test_placement_start_and_end_write_the_status_history_and_the_person(world):
    placement = _place(world)
    world.case.person.refresh_from_db()
    assert world.case.person.employment_status == "employed"
    case_services.placement_end(
        actor=world["officer"],
        case=world.case,
        placement_id=placement.pk,
        ended_on=local_today(),
        end_reason="dismissed",
    )
    world.case.person.refresh_from_db()
    assert world.case.person.employment_status == "unemployed"
    history = list(EmploymentStatusChange.objects.filter(person=world.case.person).order_by("id"))
    assert [(h.status, h.source) for h in history] == [("employed", "placement"), ("unemployed", "ended")]
    with pytest.raises(DomainError):
        case_services.placement_end(
            actor=world["officer"],
            case=world.case,
            placement_id=placement.pk,
            ended_on=local_today(),
            end_reason="dismissed",
        )


def test_the_end_must_follow_the_start_and_other_needs_a_note(world):
    placement = _place(world, on=local_today() - dt.timedelta(days=3))
    for ended_on, reason in ((local_today() - dt.timedelta(days=4), "resigned"), (local_today(), "other")):
        with pytest.raises(DomainError):
            case_services.placement_end(
                actor=world["officer"], case=world.case, placement_id=placement.pk, ended_on=ended_on, end_reason=reason
            )
    assert Placement.objects.get(pk=placement.pk).ended_on is None


def test_a_manual_status_goes_to_the_history_and_the_person(world):
    row = case_services.status_record(actor=world["officer"], case=world.case, status="student", since=local_today())
    world.case.person.refresh_from_db()
    assert (row.source, world.case.person.employment_status) == ("manual", "student")
    with pytest.raises(DomainError):
        case_services.status_record(actor=world["officer"], case=world.case, status="student", since=local_today())


def _referral(world, **kw):
    return case_services.referral_issue(
        actor=world["officer"],
        case=kw.pop("case", world.case),
        centre_id=world.centre.pk,
        employer_id=world.employer.pk,
        issued_on=local_today() - dt.timedelta(days=3),
        number="ЖК-1",
        **kw,
    )


def test_a_referral_is_issued_by_the_centre_serving_the_district_and_is_placed_once(world):
    referral = _referral(world)
    assert (referral.status, referral.office) == (ReferralStatus.ISSUED, world["office_a"])
    placement = case_services.placement_start(
        actor=world["officer"], case=world.case, position="Күзетші", started_on=local_today(), referral_id=referral.pk
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PLACED and placement.employer == world.employer
    assert list(referral.status_changes.values_list("from_status", "to_status")) == [("issued", "placed")]
    with pytest.raises(DomainError):
        case_services.placement_start(
            actor=world["officer"], case=world.case, position="x", started_on=local_today(), referral_id=referral.pk
        )


def test_a_centre_not_serving_the_district_is_refused(world):
    far = centre(world["office_b"])
    with pytest.raises(DomainError) as refused:
        case_services.referral_issue(
            actor=world["officer"],
            case=world.case,
            centre_id=far.pk,
            employer_id=world.employer.pk,
            issued_on=local_today(),
        )
    assert refused.value.field == "centre"
    assert not EmploymentReferral.objects.exists()


def test_a_referral_lapses_once(world):
    referral = _referral(world)
    case_services.referral_expire(actor=world["officer"], case=world.case, referral_id=referral.pk, on=local_today())
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    with pytest.raises(DomainError):
        case_services.referral_expire(
            actor=world["officer"], case=world.case, referral_id=referral.pk, on=local_today()
        )


def _duty(case):
    return EmploymentDuty.objects.create(
        case=case,
        deadline=local_today() + dt.timedelta(days=20),
        rule_key="labour.employment_deadline",
        rule_version=1,
        status=DutyStatus.SEEKING,
        status_on=local_today() - dt.timedelta(days=30),
    )


def _refuse(world, good, **kw):
    return case_services.refusal_record(
        actor=world["officer"],
        case=world.case,
        refused_on=local_today(),
        reason="Жұмыс алыс",
        good_reason=good,
        **kw,
    )


def test_a_refusal_without_good_reason_feeds_the_employment_duty_once(world):
    _duty(world.case)
    referral = _referral(world)
    refusal = _refuse(world, False, referral_id=referral.pk)
    offer = JobOffer.objects.get(duty__case=world.case)
    assert refusal.labour_offer_id == offer.pk and offer.answer == "refused_no_reason"
    violations = Violation.objects.filter(case=world.case)
    assert [(v.kind, v.source_ref, v.status) for v in violations] == [
        ("work_refusal", f"offer:{offer.pk}", "candidate")
    ]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFUSED
    # The same referral cannot be refused again: labour is fed once.
    with pytest.raises(DomainError):
        _refuse(world, False, referral_id=referral.pk)
    assert (JobOffer.objects.count(), Violation.objects.filter(case=world.case).count()) == (1, 1)
    assert EmploymentStatusChange.objects.filter(refusal=refusal, source="refusal").count() == 1


def test_a_refusal_with_good_reason_or_without_a_duty_does_not_reach_labour(world):
    _duty(world.case)
    assert _refuse(world, True, employer_id=world.employer.pk).labour_offer_id is None
    other = make_case(world.personas)
    refusal = case_services.refusal_record(
        actor=world["officer"],
        case=other,
        refused_on=local_today(),
        reason="Қаламады",
        good_reason=False,
        employer_id=world.employer.pk,
    )
    assert refusal.labour_offer_id is None
    assert not JobOffer.objects.exists() and not Violation.objects.exists()


def test_a_vacancy_opens_and_closes_through_its_lifecycle(world):
    vacancy = services.vacancy_open(
        actor=world["officer"],
        office=world["office_a"],
        employer_id=world.employer.pk,
        title="Аспаз",
        places="2",
        wage="150 000",
        opened_on=local_today(),
    )
    assert str(vacancy.wage) == "150000.00"
    closed = services.vacancy_close(actor=world["officer"], vacancy=vacancy, status="filled", on=local_today())
    assert (closed.status, closed.closed_on) == (VacancyStatus.FILLED, local_today())
    with pytest.raises(PermissionDeniedError):
        services.vacancy_close(actor=world["other_district"], vacancy=closed, status="closed", on=local_today())
    with pytest.raises(DomainError):
        services.vacancy_close(actor=world["officer"], vacancy=closed, status="filled", on=local_today())

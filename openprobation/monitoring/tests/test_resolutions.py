"""EM resolutions (Order 511 para. 140): who decides, the period from the rulebook, the memo and the
co-residents, ending and revoking; fitting refused without a resolution in force; replacing a device
carries its zones over; the case page's section and forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openprobation.assessments.rules import LevelConsequence
from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CourtDecision, DecisionKind
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import EnforcementStep, Step
from openprobation.monitoring import services
from openprobation.monitoring.catalogue import DeviceStatus, ZoneKind
from openprobation.monitoring.models import (
    Assignment,
    EmResolution,
    EmResolutionStatusChange,
    ResolutionGrounds,
    ResolutionStatus,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.resolution_terms import term_end
from openprobation.monitoring.tests.matrix import active_case, fitted, resolved, stock_device
from openprobation.testing.clients import api_client, web_client

pytestmark = pytest.mark.django_db


def other(**fields: Any) -> services.ResolutionInput:
    today = local_today()
    values: dict[str, Any] = {
        "number": "ЭК-7",
        "decided_on": today,
        "grounds": ResolutionGrounds.OTHER_COURT,
        "grounds_text": "Сот белгілеген шектеу",
        "ends_on": today + dt.timedelta(days=90),
        **fields,
    }
    return services.ResolutionInput(**values)


def counts() -> tuple[int, int, int]:
    return (
        EmResolution.objects.count(),
        Assignment.objects.count(),
        AuditEvent.objects.exclude(action="case.view").count(),
    )


# --- Duration rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2026, 1, 1), 12, dt.date(2026, 12, 31)),
        (dt.date(2026, 3, 15), 12, dt.date(2027, 3, 14)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),  # from a leap day: the month's last day
        (dt.date(2027, 3, 1), 12, dt.date(2028, 2, 29)),  # across a leap day
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 31), 6, dt.date(2027, 6, 30)),
    ],
)
def test_a_term_ends_the_day_before_the_corresponding_day(start, months, end):
    assert term_end(start, months) == end


def test_after_a_written_warning_monitoring_runs_one_year_from_the_rulebook(personas):
    case = active_case(personas)
    Case.objects.filter(pk=case.pk).update(sentence_kind="restriction_of_liberty")
    today = local_today()
    data = services.ResolutionInput(number="ЭК-1", decided_on=today, grounds=ResolutionGrounds.WRITTEN_WARNING)
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=case, data=data)
    assert caught.value.code == "no_written_warning"
    EnforcementStep.objects.create(case=case, step=Step.WRITTEN_WARNING, taken_on=today, reason="Екі рет келмеді")
    resolution = services.resolution_decide(actor=personas["head"], case=case, data=data)
    assert resolution.starts_on == today
    assert resolution.ends_on == term_end(today, 12)
    assert (resolution.rule_key, resolution.rule_version) == ("monitoring.resolution.term", 1)
    assert resolution.status == ResolutionStatus.IN_FORCE and not resolution.acting_head
    event = AuditEvent.objects.get(action="monitoring.resolution.decide")
    assert event.details["grounds"] == "written_warning"


def test_a_written_warning_ground_does_not_fit_a_conditional_sentence(personas):
    case = active_case(personas)  # conditional
    today = local_today()
    EnforcementStep.objects.create(case=case, step=Step.WRITTEN_WARNING, taken_on=today, reason="x")
    data = services.ResolutionInput(number="ЭК-1", decided_on=today, grounds=ResolutionGrounds.WRITTEN_WARNING)
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=case, data=data)
    assert caught.value.field == "grounds"


def test_after_a_court_extension_monitoring_runs_the_extension_period(personas):
    case = active_case(personas)  # conditional
    today = local_today()
    data = services.ResolutionInput(
        number="ЭК-2",
        decided_on=today,
        grounds=ResolutionGrounds.COURT_EXTENSION,
        starts_on=today + dt.timedelta(days=3),
    )
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=case, data=data)
    assert caught.value.code == "no_extension"
    decision = CourtDecision.objects.create(
        case=case,
        kind=DecisionKind.EXTENSION,
        court="Аудандық сот",
        number="2-55/2026",
        decision_date=today - dt.timedelta(days=5),
        effective_date=today - dt.timedelta(days=2),
        extension_months=6,
    )
    resolution = services.resolution_decide(actor=personas["head"], case=case, data=data)
    assert resolution.court_decision_id == decision.pk
    assert resolution.starts_on == today + dt.timedelta(days=3)
    assert resolution.ends_on == term_end(today + dt.timedelta(days=3), 6)


def test_other_court_grounds_need_the_end_within_the_practice_limit(personas):
    case = active_case(personas)
    today = local_today()
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=case, data=other(ends_on=None))
    assert caught.value.field == "ends_on"
    with pytest.raises(DomainError):
        services.resolution_decide(
            actor=personas["head"], case=case, data=other(ends_on=today + dt.timedelta(days=400))
        )
    with pytest.raises(DomainError):
        services.resolution_decide(actor=personas["head"], case=case, data=other(grounds_text=""))
    resolution = services.resolution_decide(actor=personas["head"], case=case, data=other())
    assert resolution.ends_on == today + dt.timedelta(days=90)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"decided_on": "tomorrow"}, "decided_on"),
        ({"decided_on": "long ago"}, "decided_on"),
        ({"starts_on": "before"}, "starts_on"),
        ({"starts_on": "far"}, "starts_on"),
        ({"number": "  "}, "number"),
        ({"grounds": "whim"}, "grounds"),
    ],
)
def test_odd_dates_and_values_are_refused_with_the_field(personas, fields, field):
    today = local_today()
    named = {
        "tomorrow": today + dt.timedelta(days=1),
        "long ago": today - dt.timedelta(days=400),
        "before": today - dt.timedelta(days=1),
        "far": today + dt.timedelta(days=60),
    }
    values = {k: named.get(v, v) for k, v in fields.items()}
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=active_case(personas), data=other(**values))
    assert caught.value.field == field
    assert EmResolution.objects.count() == 0


def test_an_overlapping_resolution_is_refused(personas):
    case = active_case(personas)
    services.resolution_decide(actor=personas["head"], case=case, data=other())
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=case, data=other(number="ЭК-8"))
    assert caught.value.code == "resolution_in_force"


# --- Who decides -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["officer", "senior", "other_head", "regional_admin", "monitoring", "court_liaison", "auditor", "sysadmin"]
)
def test_only_the_head_of_the_office_decides_and_refusals_change_nothing(personas, who):
    case = active_case(personas)
    before = counts()
    with pytest.raises(PermissionDeniedError):
        services.resolution_decide(actor=personas[who], case=case, data=other())
    assert counts() == before


def test_a_senior_officer_decides_only_as_acting_head_and_it_is_recorded(personas):
    case = active_case(personas)
    resolution = services.resolution_decide(actor=personas["senior"], case=case, data=other(acting_head=True))
    assert resolution.acting_head and resolution.decided_by == personas["senior"]
    # The head's own decision is never marked as acting, whatever was sent.
    second = services.resolution_decide(
        actor=personas["head"],
        case=active_case(personas),
        data=other(acting_head=True),
    )
    assert not second.acting_head


def test_a_closed_case_gets_no_resolution(personas):
    case = active_case(personas)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED)
    with pytest.raises(DomainError) as caught:
        services.resolution_decide(actor=personas["head"], case=case, data=other())
    assert caught.value.code == "case_closed"


# --- Fitting needs a resolution ----------------------------------------------------------------------------


def test_fitting_is_refused_without_a_resolution_in_force_on_the_installation_date(personas):
    case = active_case(personas)
    device = stock_device(personas["office_a"])
    with pytest.raises(DomainError) as caught:
        services.assignment_create(actor=personas["senior"], case=case, device=device)
    assert caught.value.code == "no_em_resolution"
    # A resolution that starts later does not cover today.
    later = resolved(case, days_back=-5)
    with pytest.raises(DomainError) as caught:
        services.assignment_create(actor=personas["senior"], case=case, device=device)
    assert caught.value.code == "no_em_resolution"
    EmResolution.objects.filter(pk=later.pk).update(status=ResolutionStatus.REVOKED)
    current = resolved(case)
    assignment = services.assignment_create(actor=personas["senior"], case=case, device=device)
    assert assignment.resolution_id == current.pk
    device.refresh_from_db()
    assert device.status == DeviceStatus.ASSIGNED


# --- Memo and co-residents ---------------------------------------------------------------------------------


def test_the_officer_records_the_signed_memo_and_the_co_residents_once(personas):
    case = active_case(personas)
    resolution = resolved(case)
    today = local_today()
    with pytest.raises(PermissionDeniedError):
        services.resolution_acknowledge_memo(actor=personas["colleague"], resolution=resolution)
    with pytest.raises(DomainError):
        services.resolution_acknowledge_memo(
            actor=personas["officer"], resolution=resolution, signed_on=resolution.decided_on - dt.timedelta(days=1)
        )
    with pytest.raises(DomainError):
        services.resolution_acknowledge_memo(
            actor=personas["officer"], resolution=resolution, signed_on=today + dt.timedelta(days=1)
        )
    services.resolution_acknowledge_memo(actor=personas["officer"], resolution=resolution, signed_on=today)
    with pytest.raises(DomainError) as caught:
        services.resolution_acknowledge_memo(actor=personas["officer"], resolution=resolution)
    assert caught.value.code == "already_recorded"
    services.resolution_inform_co_residents(actor=personas["officer"], resolution=resolution, note="Анасы мен әйелі")
    resolution.refresh_from_db()
    assert resolution.memo_acknowledged_on == today
    assert resolution.co_residents_informed_on == today and resolution.co_residents_note == "Анасы мен әйелі"
    actions = list(
        AuditEvent.objects.filter(action__startswith="monitoring.resolution").values_list("action", flat=True)
    )
    assert sorted(actions) == ["monitoring.resolution.co_residents", "monitoring.resolution.memo"]


# --- Ending and revoking -----------------------------------------------------------------------------------


def test_a_resolution_ends_only_once_the_device_is_removed_with_its_history(personas):
    case = active_case(personas)
    assignment = fitted(personas["senior"], case)
    resolution = assignment.resolution
    assert resolution is not None
    with pytest.raises(PermissionDeniedError):
        services.resolution_end(actor=personas["other_head"], resolution=resolution, reason="x")
    with pytest.raises(PermissionDeniedError):
        services.resolution_end(actor=personas["senior"], resolution=resolution, reason="x")
    with pytest.raises(DomainError) as caught:
        services.resolution_end(actor=personas["head"], resolution=resolution, reason="Мерзімі бітті")
    assert caught.value.code == "device_fitted"
    services.assignment_end(actor=personas["head"], assignment=assignment, reason="Мерзімі бітті")
    ended = services.resolution_end(actor=personas["head"], resolution=resolution, reason="Мерзімі бітті")
    assert ended.status == ResolutionStatus.ENDED and ended.status_reason == "Мерзімі бітті"
    change = EmResolutionStatusChange.objects.get(resolution=resolution)
    assert (change.from_status, change.to_status, change.changed_by) == ("in_force", "ended", personas["head"])
    assert AuditEvent.objects.filter(action="monitoring.resolution.transition").count() == 1
    with pytest.raises(DomainError):
        services.resolution_revoke(actor=personas["head"], resolution=resolution, reason="Қайта")
    with pytest.raises(DomainError) as caught:
        services.assignment_create(actor=personas["senior"], case=case, device=stock_device(personas["office_a"]))
    assert caught.value.code == "no_em_resolution"


def test_an_acting_head_revokes(personas):
    resolution = resolved(active_case(personas))
    revoked = services.resolution_revoke(
        actor=personas["senior"], resolution=resolution, reason="Прокурор наразылығы", acting_head=True
    )
    assert revoked.status == ResolutionStatus.REVOKED


# --- Replacement -------------------------------------------------------------------------------------------


def test_replacing_the_device_carries_the_zones_and_permissions_over(personas):
    case = active_case(personas)
    old = fitted(personas["senior"], case, rules=["curfew", "strap"])
    home = services.zone_create(
        actor=personas["officer"],
        assignment=old,
        kind=ZoneKind.HOME,
        name="Үй",
        shape=services.ZoneShape(
            geometry={"type": "Point", "coordinates": [71.43, 51.13]},
            radius_m=120,
            buffer_m=10,
            windows=[{"day": 0, "start": "22:00", "end": "06:00"}],
        ),
    )
    now = timezone.now()
    services.exception_create(
        actor=personas["officer"],
        assignment=old,
        starts_at=now + dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=5),
        reason="Емхана",
    )
    replacement = stock_device(personas["office_a"])
    with pytest.raises(PermissionDeniedError):
        services.assignment_replace(actor=personas["officer"], assignment=old, device=replacement, reason="Бау")
    with pytest.raises(DomainError):
        services.assignment_replace(actor=personas["senior"], assignment=old, device=old.device, reason="Бау")
    audit_before = AuditEvent.objects.count()
    new = services.assignment_replace(actor=personas["senior"], assignment=old, device=replacement, reason="Бау үзілді")
    assert AuditEvent.objects.count() == audit_before + 1
    assert AuditEvent.objects.latest("id").action == "monitoring.assignment.replace"
    old.refresh_from_db()
    old.device.refresh_from_db()
    replacement.refresh_from_db()
    assert old.removed_at == new.installed_at and old.removed_by == personas["senior"]
    assert old.removal_reason == "Бау үзілді"
    assert old.device.status == DeviceStatus.IN_REPAIR and replacement.status == DeviceStatus.ASSIGNED
    assert new.resolution_id == old.resolution_id and new.rules == ["curfew", "strap"]
    copy = Zone.objects.get(assignment=new)
    assert (copy.kind, copy.name) == (ZoneKind.HOME, "Үй") and copy.pk != home.pk
    version = ZoneVersion.objects.get(zone=copy)
    original = ZoneVersion.objects.get(zone=home)
    assert (version.geometry, version.radius_m, version.buffer_m, version.windows) == (
        original.geometry,
        original.radius_m,
        original.buffer_m,
        original.windows,
    )
    assert version.valid_from >= new.installed_at
    assert ScheduleException.objects.filter(assignment=new).count() == 1


def test_replacing_refuses_a_device_of_another_region_and_changes_nothing(personas):
    case = active_case(personas)
    old = fitted(personas["senior"], case)
    before = counts()
    with pytest.raises(DomainError):
        services.assignment_replace(
            actor=personas["senior"], assignment=old, device=stock_device(personas["office_c"]), reason="Бау"
        )
    assert counts() == before
    old.refresh_from_db()
    assert old.removed_at is None


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_decides_acknowledges_and_closes(personas):
    case = active_case(personas)
    senior = api_client(personas["senior"])
    body = {
        "number": "ЭК-9",
        "decided_on": local_today().isoformat(),
        "grounds": "other_court",
        "grounds_text": "Сот",
        "ends_on": (local_today() + dt.timedelta(days=30)).isoformat(),
    }
    refused = senior.post(f"/api/v1/em/cases/{case.pk}/resolutions/", body, format="json")
    assert refused.status_code == 403
    made = senior.post(f"/api/v1/em/cases/{case.pk}/resolutions/", {**body, "acting_head": True}, format="json")
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    officer = api_client(personas["officer"])
    assert officer.post(f"/api/v1/em/resolutions/{pk}/memo/", {}, format="json").status_code == 200
    listed = officer.get(f"/api/v1/em/cases/{case.pk}/resolutions/").json()
    assert listed[0]["memo_acknowledged_on"] == local_today().isoformat()
    closed = api_client(personas["head"]).post(
        f"/api/v1/em/resolutions/{pk}/close/", {"to_status": "revoked", "reason": "Қате"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["history"][0]["to_status"] == "revoked"
    assert api_client(personas["other_region"]).get(f"/api/v1/em/resolutions/{pk}/").status_code in (403, 404)


@pytest.mark.parametrize(
    "override",
    [
        {"decided_on": "٢٠٢٦-٠١-٠١"},
        {"decided_on": "9999-12-31"},
        {"decided_on": "0001-01-01"},
        {"ends_on": "9999-12-31"},
        {"number": "x" * 5000},
        {"grounds": {"nested": [1, 2, {"deep": True}]}},
        {"acting_head": "maybe"},
    ],
)
def test_odd_api_input_is_a_clear_400(personas, override):
    case = active_case(personas)
    body = {
        "number": "ЭК-9",
        "decided_on": local_today().isoformat(),
        "grounds": "other_court",
        "grounds_text": "Сот",
        "ends_on": (local_today() + dt.timedelta(days=30)).isoformat(),
        **override,
    }
    answer = api_client(personas["head"], language="ru").post(
        f"/api/v1/em/cases/{case.pk}/resolutions/", body, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["detail"]
    assert EmResolution.objects.count() == 0


def test_the_api_replaces_the_device(personas):
    case = active_case(personas)
    old = fitted(personas["senior"], case)
    device = stock_device(personas["office_a"])
    answer = api_client(personas["head"]).post(
        f"/api/v1/em/assignments/{old.pk}/replace/", {"device": device.pk, "reason": "Батарея"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["device"]["id"] == device.pk


# --- Pages -----------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_section_and_the_head_decides_through_the_form(personas):
    case = active_case(personas)
    head = web_client(personas["head"])
    page = head.get(f"/cases/{case.pk}/")
    assert page.status_code == 200
    form = head.get(f"/cases/{case.pk}/monitoring/resolution/new/")
    assert form.status_code == 200 and b"resolution-decide-form" in form.content
    answer = head.post(
        f"/cases/{case.pk}/monitoring/resolution/new/",
        {
            "number": "ЭК-3",
            "decided_on": local_today().strftime("%d.%m.%Y"),
            "grounds": "other_court",
            "grounds_text": "Сот",
            "ends_on": (local_today() + dt.timedelta(days=60)).strftime("%d.%m.%Y"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    text = head.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="case-monitoring"' in text and "ЭК-3" in text and 'id="em-memo-link"' in text
    assert 'id="em-fit-link"' in text
    # The officer cannot open the decision form.
    assert web_client(personas["officer"]).get(f"/cases/{case.pk}/monitoring/resolution/new/").status_code == 403


def test_a_refused_form_shows_the_services_message(personas):
    case = active_case(personas)
    senior = web_client(personas["senior"])
    answer = senior.post(
        f"/cases/{case.pk}/monitoring/resolution/new/",
        {
            "number": "ЭК-3",
            "decided_on": local_today().strftime("%d.%m.%Y"),
            "grounds": "other_court",
            "grounds_text": "Сот",
            "ends_on": (local_today() + dt.timedelta(days=60)).strftime("%d.%m.%Y"),
        },
    )
    assert answer.status_code == 200 and b"acting head" in answer.content
    assert EmResolution.objects.count() == 0


def test_the_fit_replace_and_remove_forms(personas):
    case = active_case(personas)
    resolved(case)
    device = stock_device(personas["office_a"])
    senior = web_client(personas["senior"])
    form = senior.get(f"/cases/{case.pk}/monitoring/fit/")
    assert device.serial.encode() in form.content
    assert senior.post(f"/cases/{case.pk}/monitoring/fit/", {"device": device.pk}).status_code == 302
    assignment = Assignment.objects.get(case=case, removed_at__isnull=True)
    spare = stock_device(personas["office_a"])
    answer = senior.post(
        f"/cases/{case.pk}/monitoring/assignments/{assignment.pk}/replace/",
        {"device": spare.pk, "reason": "Бау", "device_status": "in_repair"},
    )
    assert answer.status_code == 302
    current = Assignment.objects.get(case=case, removed_at__isnull=True)
    assert current.device_id == spare.pk
    answer = senior.post(
        f"/cases/{case.pk}/monitoring/assignments/{current.pk}/remove/",
        {"reason": "Мерзімі бітті", "device_status": "in_stock"},
    )
    assert answer.status_code == 302
    assert not Assignment.objects.filter(case=case, removed_at__isnull=True).exists()
    page = senior.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="em-past"' in page and spare.serial in page


def test_the_section_says_when_the_assessment_proposes_monitoring(personas, monkeypatch):
    from openprobation.monitoring.pages import resolutions_casepage

    case = active_case(personas)
    monkeypatch.setattr(
        resolutions_casepage.assessments,
        "level_consequences",
        lambda case, on: LevelConsequence("intensive", True, "assessments.level_mapping", 1),
    )
    page = web_client(personas["officer"]).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="em-proposed"' in page
    resolved(case)
    page = web_client(personas["officer"]).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="em-proposed"' not in page and 'id="em-resolution"' in page


def test_the_section_reads_in_a_fixed_number_of_queries(personas, django_assert_num_queries):
    """However many devices the case has had, the section reads the same queries: the resolutions,
    the assignments with their devices and people, and the assessment's proposal."""
    from openprobation.monitoring.pages.resolutions_casepage import case_section

    case = active_case(personas)
    fitted(personas["senior"], case)
    today = local_today()
    with CaptureQueriesContext(connection) as first:
        assert case_section(user=personas["head"], case=case, today=today) is not None
    for _ in range(4):
        current = Assignment.objects.get(case=case, removed_at__isnull=True)
        services.assignment_replace(
            actor=personas["senior"], assignment=current, device=stock_device(personas["office_a"]), reason="Бау"
        )
    with django_assert_num_queries(len(first)):
        section = case_section(user=personas["head"], case=case, today=today)
    assert section is not None and len(section.context["past"]) == 4


@pytest.mark.parametrize("typed", ["31.12.9999 23:59", "01.01.0001 00:00", "32.13.2026 25:61", "٠١.٠١.٢٠٢٦ 10:00"])
def test_odd_moments_on_the_forms_are_shown_as_errors(personas, typed):
    case = active_case(personas)
    assignment = fitted(personas["senior"], case)
    answer = web_client(personas["senior"], language="ru").post(
        f"/cases/{case.pk}/monitoring/assignments/{assignment.pk}/remove/",
        {"reason": "Мерзімі бітті", "device_status": "in_stock", "removed_at": typed},
    )
    assert answer.status_code == 200 and b"usa-error-message" in answer.content
    assignment.refresh_from_db()
    assert assignment.removed_at is None


def test_a_moment_typed_in_local_time_is_taken(personas):
    case = active_case(personas)
    assignment = fitted(personas["senior"], case, installed_at=timezone.now() - dt.timedelta(hours=1))
    moment = timezone.localtime(timezone.now() - dt.timedelta(minutes=5))
    answer = web_client(personas["senior"]).post(
        f"/cases/{case.pk}/monitoring/assignments/{assignment.pk}/remove/",
        {"reason": "Мерзімі бітті", "device_status": "in_stock", "removed_at": moment.strftime("%d.%m.%Y %H:%M")},
    )
    assert answer.status_code == 302
    assignment.refresh_from_db()
    assert assignment.removed_at == moment.replace(second=0, microsecond=0)

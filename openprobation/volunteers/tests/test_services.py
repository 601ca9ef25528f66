"""The services: the registry, checks, assignment with consent and eligibility, sessions, ending,
the status lifecycle, the daily scan and the work-queue source; who is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseTransfer
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.core.workqueue import WorkScope, work_sources
from openprobation.people.iin import make_iin
from openprobation.volunteers import services
from openprobation.volunteers.models import (
    SupportSession,
    Volunteer,
    VolunteerAssignment,
    VolunteerCheck,
    VolunteerStatusChange,
)
from openprobation.volunteers.tests.conftest import case_in
from openprobation.volunteers.tests.matrix import eligible_volunteer

pytestmark = pytest.mark.django_db
TODAY = local_today


def _input(personas: dict[str, Any], **extra: Any) -> services.VolunteerInput:
    return services.VolunteerInput(
        **{"full_name": "Серікова Дана", "offices": [personas["office_a"]], "kind": "mentor", **extra}
    )


def _assign(actor: Any, case: Case, volunteer: Volunteer, **extra: Any) -> VolunteerAssignment:
    data = {
        "volunteer_id": volunteer.pk,
        "consent_on": TODAY(),
        "consent_note": "Жазбаша келісім",
        "started_on": TODAY(),
        **extra,
    }
    return services.volunteer_assign(actor=actor, case=case, data=services.AssignInput(**data))


def _session(actor: Any, case: Case, assignment: VolunteerAssignment, **extra: Any) -> SupportSession:
    data = {"held_on": TODAY(), "minutes": 45, "kind": "meeting", "summary": "Сөйлесті", **extra}
    return services.session_log(actor=actor, case=case, assignment_id=assignment.pk, data=services.SessionInput(**data))


def _rows() -> tuple[int, int, int, int]:
    return (
        Volunteer.objects.count(),
        VolunteerCheck.objects.count(),
        VolunteerAssignment.objects.filter(ended_on__isnull=True).count(),
        SupportSession.objects.count(),
    )


# --- The registry -------------------------------------------------------------------------------------


def test_a_head_registers_a_volunteer_for_their_district_audited(personas):
    volunteer = services.volunteer_register(
        actor=personas["head"], data=_input(personas, iin=make_iin(dt.date(1985, 4, 2), "F", 11), languages=["kk"])
    )
    assert volunteer.region_id == personas["north"].pk
    assert list(volunteer.offices.all()) == [personas["office_a"]]
    event = AuditEvent.objects.get(action="volunteers.register")
    assert event.subject_id == str(volunteer.pk) and event.actor_username == "head"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"iin": "١٢٣٤٥٦٧٨٩٠١٢"}, "iin"),
        ({"iin": "850402400011"}, "iin"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "Ә" * 201}, "full_name"),
        ({"email": "not-an-address"}, "email"),
        ({"languages": ["xx"]}, "languages"),
        ({"kind": "boss"}, "kind"),
        ({"offices": []}, "offices"),
    ],
)
def test_odd_registry_input_names_the_field(personas, extra, field):
    with pytest.raises(DomainError) as err:
        services.volunteer_register(actor=personas["head"], data=_input(personas, **extra))
    assert err.value.field == field
    assert Volunteer.objects.count() == 0


@pytest.mark.parametrize("who", ["officer", "court_liaison", "analyst", "auditor", "sysadmin", "partner", "monitoring"])
def test_only_seniors_heads_and_regional_admins_manage_the_registry(personas, who):
    with pytest.raises(PermissionDeniedError):
        services.volunteer_register(actor=personas[who], data=_input(personas))
    assert Volunteer.objects.count() == 0


def test_a_head_may_not_register_for_another_district_but_the_regional_admin_may(personas):
    with pytest.raises(DomainError) as err:
        services.volunteer_register(actor=personas["head"], data=_input(personas, offices=[personas["office_b"]]))
    assert err.value.field == "offices"
    both = services.volunteer_register(
        actor=personas["regional_admin"], data=_input(personas, offices=[personas["office_a"], personas["office_b"]])
    )
    assert both.offices.count() == 2
    with pytest.raises(DomainError):
        services.volunteer_register(
            actor=personas["regional_admin"], data=_input(personas, offices=[personas["office_c"]])
        )


def test_editing_keeps_other_districts_and_refuses_another_office(personas, volunteer):
    volunteer.offices.add(personas["office_b"])
    data = _input(personas, full_name="Жаңа аты", offices=[personas["office_a"], personas["office_b"]])
    services.volunteer_update(actor=personas["head"], volunteer=volunteer, data=data)
    volunteer.refresh_from_db()
    assert volunteer.full_name == "Жаңа аты" and volunteer.offices.count() == 2
    with pytest.raises(DomainError) as err:  # office A's head may not remove office B
        services.volunteer_update(actor=personas["head"], volunteer=volunteer, data=_input(personas))
    assert err.value.field == "offices"
    with pytest.raises(PermissionDeniedError):
        services.volunteer_update(actor=personas["other_region"], volunteer=volunteer, data=_input(personas))


def test_a_check_is_valid_for_the_rules_months_and_records_the_rule(personas, volunteer):
    on = TODAY() - dt.timedelta(days=3)
    check = services.volunteer_check_record(
        actor=personas["senior"], volunteer=volunteer, kind="medical", passed=True, on=on
    )
    assert (check.rule_key, check.rule_version) == ("volunteers.checks", 1)
    assert check.valid_until.year == on.year + 1
    cases: list[tuple[dict[str, Any], str]] = [
        ({"on": TODAY() + dt.timedelta(days=1)}, "on"),
        ({"on": dt.date(1, 1, 1)}, "on"),
        ({"kind": "horoscope"}, "kind"),
        ({"passed": "yes"}, "passed"),
        ({"reference": "x" * 101}, "reference"),
    ]
    for bad, field in cases:
        args: dict[str, Any] = {"kind": "medical", "passed": True, "on": on, **bad}
        with pytest.raises(DomainError) as err:
            services.volunteer_check_record(actor=personas["senior"], volunteer=volunteer, **args)
        assert err.value.field == field
    with pytest.raises(PermissionDeniedError):
        services.volunteer_check_record(
            actor=personas["officer"], volunteer=volunteer, kind="medical", passed=True, on=on
        )
    assert volunteer.checks.filter(kind="medical").count() == 2  # the fixture's and the one above


def test_the_status_lifecycle_with_history_and_no_leaving_with_active_assignments(personas, volunteer, case):
    assignment = _assign(personas["officer"], case, volunteer)
    services.volunteer_set_status(actor=personas["head"], volunteer=volunteer, to_status="suspended", reason="Демалыс")
    with pytest.raises(DomainError) as err:
        services.volunteer_set_status(actor=personas["head"], volunteer=volunteer, to_status="left", reason="Кетті")
    assert "active assignments" in str(err.value)
    services.assignment_end(
        actor=personas["officer"], case=case, assignment_id=assignment.pk, ended_on=TODAY(), reason="Аяқталды"
    )
    services.volunteer_set_status(actor=personas["head"], volunteer=volunteer, to_status="left", reason="Кетті")
    volunteer.refresh_from_db()
    assert volunteer.status == "left"
    assert list(VolunteerStatusChange.objects.values_list("to_status", flat=True).order_by("id")) == [
        "suspended",
        "left",
    ]
    with pytest.raises(DomainError):  # final
        services.volunteer_set_status(actor=personas["head"], volunteer=volunteer, to_status="active", reason="Қайта")
    assert AuditEvent.objects.filter(action="volunteers.volunteer.transition").count() == 2


# --- Assignment -----------------------------------------------------------------------------------------


def test_the_officer_assigns_an_eligible_volunteer_with_consent(personas, volunteer, case):
    assignment = _assign(personas["officer"], case, volunteer)
    assert assignment.active and assignment.rule_key == "volunteers.checks"
    event = AuditEvent.objects.get(action="volunteers.assign")
    assert event.subject_id == str(case.pk) and event.details["volunteer_id"] == volunteer.pk


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"consent_note": "  "}, "consent_note"),
        ({"consent_on": None}, "consent_on"),
        ({"consent_on": "2026-01-01"}, "consent_on"),
        ({"started_on": dt.date(9999, 12, 31)}, "started_on"),
        ({"started_on": dt.date(1, 1, 1)}, "started_on"),
        ({"volunteer_id": "1"}, "volunteer"),
        ({"volunteer_id": 10**12}, "volunteer"),
    ],
)
def test_consent_and_dates_are_required(personas, volunteer, case, extra, field):
    with pytest.raises(DomainError) as err:
        _assign(personas["officer"], case, volunteer, **extra)
    assert err.value.field == field
    assert VolunteerAssignment.objects.count() == 0


def test_consent_given_after_the_start_is_refused(personas, volunteer, case):
    with pytest.raises(DomainError) as err:
        _assign(personas["officer"], case, volunteer, consent_on=TODAY(), started_on=TODAY() - dt.timedelta(days=2))
    assert err.value.field == "consent_on"


def test_a_volunteer_without_valid_checks_is_refused_with_what_is_missing(personas, case):
    volunteer = eligible_volunteer(personas["office_a"], personas["head"])
    volunteer.checks.filter(kind="training").delete()
    volunteer.checks.filter(kind="criminal_record").update(valid_until=TODAY() - dt.timedelta(days=1))
    with pytest.raises(DomainError) as err:
        _assign(personas["officer"], case, volunteer)
    assert err.value.code == "not_eligible" and err.value.field == "volunteer"
    assert "Criminal-record check expired on" in str(err.value) and "Training is missing." in str(err.value)


def test_the_volunteer_must_serve_the_cases_district_and_be_assigned_once(personas, volunteer, case):
    elsewhere = eligible_volunteer(personas["office_b"], personas["other_head"])
    with pytest.raises(DomainError) as err:
        _assign(personas["officer"], case, elsewhere)
    assert err.value.field == "volunteer"
    _assign(personas["officer"], case, volunteer)
    with pytest.raises(DomainError) as err:
        _assign(personas["senior"], case, volunteer)
    assert err.value.code == "exists"
    assert VolunteerAssignment.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["colleague", "other_district", "other_region", "court_liaison", "analyst", "auditor", "sysadmin", "partner"]
)
def test_others_may_not_assign_and_nothing_changes(personas, volunteer, case, who):
    before = _rows()
    with pytest.raises(PermissionDeniedError):
        _assign(personas[who], case, volunteer)
    assert _rows() == before


def test_the_former_office_may_not_assign_to_a_transferred_case(personas, volunteer, case):
    Case.objects.filter(pk=case.pk).update(office=personas["office_b"])
    CaseTransfer.objects.create(
        case=case, from_office=personas["office_a"], to_office=personas["office_b"], reason="Көшті"
    )
    case.refresh_from_db()
    for who in ("officer", "head"):
        with pytest.raises(PermissionDeniedError):
            _assign(personas[who], case, volunteer)
    assert VolunteerAssignment.objects.count() == 0


def test_a_finished_case_takes_no_assignment(personas, volunteer, case):
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED)
    with pytest.raises(DomainError) as err:
        _assign(personas["officer"], case, volunteer)
    assert err.value.code == "case_finished"


# --- Sessions and ending ----------------------------------------------------------------------------------


def test_sessions_are_dated_within_the_assignment_and_last_1_to_720_minutes(personas, volunteer, case):
    start = TODAY() - dt.timedelta(days=10)
    assignment = _assign(personas["officer"], case, volunteer, consent_on=start, started_on=start)
    assert _session(personas["officer"], case, assignment, minutes=720).minutes == 720
    assert _session(personas["officer"], case, assignment, minutes=1, held_on=start).held_on == start
    odd: list[tuple[dict[str, Any], str]] = [
        ({"held_on": TODAY() + dt.timedelta(days=1)}, "held_on"),
        ({"held_on": start - dt.timedelta(days=1)}, "held_on"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 721}, "minutes"),
        ({"minutes": True}, "minutes"),
        ({"minutes": "60"}, "minutes"),
        ({"kind": "party"}, "kind"),
        ({"summary": ""}, "summary"),
        ({"place": "x" * 201}, "place"),
    ]
    for bad, field in odd:
        with pytest.raises(DomainError) as err:
            _session(personas["officer"], case, assignment, **bad)
        assert err.value.field == field, bad
    assert SupportSession.objects.count() == 2
    assert AuditEvent.objects.filter(action="volunteers.session").count() == 2


def test_ending_an_assignment_needs_a_reason_and_stops_later_sessions(personas, volunteer, case):
    start = TODAY() - dt.timedelta(days=10)
    assignment = _assign(personas["officer"], case, volunteer, consent_on=start, started_on=start)
    _session(personas["officer"], case, assignment, held_on=TODAY() - dt.timedelta(days=2))
    with pytest.raises(DomainError) as err:
        services.assignment_end(
            actor=personas["officer"], case=case, assignment_id=assignment.pk, ended_on=TODAY(), reason=" "
        )
    assert err.value.field == "reason"
    with pytest.raises(DomainError) as err:
        services.assignment_end(
            actor=personas["officer"],
            case=case,
            assignment_id=assignment.pk,
            ended_on=TODAY() - dt.timedelta(days=5),
            reason="Ерте",
        )
    assert err.value.field == "ended_on"
    ended_on = TODAY() - dt.timedelta(days=1)
    services.assignment_end(
        actor=personas["officer"],
        case=case,
        assignment_id=assignment.pk,
        ended_on=ended_on,
        reason="Келісімді қайтарды",
    )
    with pytest.raises(DomainError) as err:
        _session(personas["officer"], case, assignment, held_on=TODAY())
    assert err.value.field == "held_on"
    with pytest.raises(DomainError):
        services.assignment_end(
            actor=personas["officer"], case=case, assignment_id=assignment.pk, ended_on=TODAY(), reason="Тағы"
        )
    # A new assignment of the same volunteer is possible once the first has ended.
    assert _assign(personas["officer"], case, volunteer).active


def test_an_assignment_of_another_case_is_not_found(personas, volunteer, case):
    assignment = _assign(personas["officer"], case, volunteer)
    other = case_in(personas)
    with pytest.raises(DomainError) as err:
        _session(personas["officer"], other, assignment)
    assert err.value.code == "does_not_exist"


@pytest.mark.parametrize("who", ["other_district", "court_liaison", "auditor", "sysadmin", "partner"])
def test_others_may_not_log_or_end_and_nothing_changes(personas, volunteer, case, who):
    assignment = _assign(personas["officer"], case, volunteer)
    before = _rows()
    with pytest.raises(PermissionDeniedError):
        _session(personas[who], case, assignment)
    with pytest.raises(PermissionDeniedError):
        services.assignment_end(
            actor=personas[who], case=case, assignment_id=assignment.pk, ended_on=TODAY(), reason="Жоқ"
        )
    assert _rows() == before


# --- The daily scan and the work queue ---------------------------------------------------------------------


def test_the_scan_counts_lapsing_and_lapsed_checks_and_the_queue_shows_them(personas, case):
    soon = eligible_volunteer(personas["office_a"], personas["head"], name="Тез")
    soon.checks.filter(kind="training").update(valid_until=TODAY() + dt.timedelta(days=10))
    lapsed = eligible_volunteer(personas["office_a"], personas["head"], name="Өткен")
    _assign(personas["officer"], case, lapsed)
    lapsed.checks.filter(kind="criminal_record").update(valid_until=TODAY() - dt.timedelta(days=3))
    fine = eligible_volunteer(personas["office_a"], personas["head"], name="Жақсы")
    _assign(personas["officer"], case, fine)
    assert services.volunteer_check_scan(today=TODAY()) == {"expiring": 1, "expired_with_assignments": 1}

    scope = WorkScope(user=personas["officer"], cases=Case.objects.filter(pk=case.pk), today=TODAY())
    batch = work_sources()["volunteer_checks"](scope)
    assert (batch.count, batch.overdue) == (1, 1)
    item = batch.items[0]
    assert item.overdue and item.due == TODAY() - dt.timedelta(days=3) and "Өткен" in item.title
    other = WorkScope(user=personas["other_region"], cases=Case.objects.none(), today=TODAY())
    assert work_sources()["volunteer_checks"](other).count == 0

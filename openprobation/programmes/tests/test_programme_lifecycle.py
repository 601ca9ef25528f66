"""The programme's lifecycle through its services: opened from the needs assessment or the
officer's study, agreed or refused per version, changed into a new version with what changed,
reviewed on the rulebook's schedule, closed; and every refusal leaves nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.programmes import services
from openprobation.programmes.models import Programme, ProgrammeStatus, ProgrammeVersion
from openprobation.programmes.services import GoalInput, MeasureInput
from openprobation.programmes.tests.conftest import active_case, needs_assessment, organisation

pytestmark = pytest.mark.django_db


def _open(personas: dict[str, Any], case: Case, **kwargs: Any) -> Programme:
    return services.programme_open(
        actor=personas["officer"], case=case, study=kwargs.pop("study", "Жұмыссыз."), **kwargs
    )


def _agree(personas: dict[str, Any], programme: Programme, agreed: bool = True, **kwargs: Any) -> Programme:
    return services.programme_record_agreement(
        actor=personas["officer"], programme=programme, agreed=agreed, on=local_today(), note="Келісемін", **kwargs
    )


def test_opened_from_the_needs_assessment_proposes_one_goal_per_rated_need(personas, case):
    assessment = needs_assessment(case)
    programme = services.programme_open(actor=personas["officer"], case=case)
    assert programme.basis == "needs_assessment"
    assert programme.needs_assessment_id == assessment.pk
    goals = {g.domain: g.assessed_points for g in programme.goals.all()}
    assert goals == {"education_employment": 2, "accommodation": 1, "documents": 1}
    assert programme.status == ProgrammeStatus.DRAFT
    assert programme.status_changes.get().to_status == ProgrammeStatus.DRAFT
    assert AuditEvent.objects.filter(action="programme.open").count() == 1


def test_without_an_assessment_the_study_is_required(personas, case):
    with pytest.raises(DomainError) as err:
        services.programme_open(actor=personas["officer"], case=case, study="  ")
    assert err.value.field == "study"
    assert not Programme.objects.exists()
    programme = _open(personas, case, goals=[GoalInput(domain="documents", text="Құжат алу")])
    assert programme.basis == "officer_study"
    assert programme.goals.get().assessed_points is None


def test_one_programme_in_work_per_person(personas, case):
    _open(personas, case)
    with pytest.raises(DomainError):
        _open(personas, case)
    assert Programme.objects.count() == 1


def test_lifecycle_open_agree_change_new_version_agree_refuse_close(personas, case):
    today = local_today()
    programme = _open(
        personas,
        case,
        goals=[GoalInput(domain="documents", text="Жеке куәлік алу")],
        measures=[MeasureInput(measure="identity_documents", due_on=today + dt.timedelta(days=20))],
    )
    programme = _agree(personas, programme)
    assert programme.status == ProgrammeStatus.AGREED and programme.version == 1
    assert programme.next_review_on == today + relativedelta(months=3)
    assert (programme.review_rule_key, programme.review_rule_version) == ("programmes.review_interval", 1)
    first = ProgrammeVersion.objects.get(programme=programme, number=1)
    assert first.agreement == "agreed"
    assert [c["change"] for c in first.changes] == ["added", "added"]  # the goal and the measure

    # A change to the agreed programme starts version 2, a draft, with what changes.
    measure = programme.measures.get()
    services.measure_change(
        actor=personas["officer"],
        programme=programme,
        measure_id=measure.pk,
        data=MeasureInput(measure="identity_documents", due_on=today + dt.timedelta(days=40), goal_id=measure.goal_id),
    )
    added = services.measure_add(
        actor=personas["officer"], programme=programme, data=MeasureInput(measure="legal_advice", due_on=today)
    )
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DRAFT and programme.version == 2
    assert programme.agreement_on is None
    assert programme.status_changes.filter(from_status="agreed", to_status="draft").count() == 1

    programme = _agree(personas, programme)
    second = ProgrammeVersion.objects.get(programme=programme, number=2)
    changes = {(c["what"], c["id"]): c for c in second.changes}
    assert changes[("measure", measure.pk)]["change"] == "changed"
    assert changes[("measure", measure.pk)]["fields"] == {
        "due_on": [(today + dt.timedelta(days=20)).isoformat(), (today + dt.timedelta(days=40)).isoformat()]
    }
    assert changes[("measure", added.pk)]["change"] == "added"
    assert len(second.changes) == 2

    # Removing a goal starts version 3, which the person refuses.
    goal = programme.goals.get()
    services.goal_change(actor=personas["officer"], programme=programme, goal_id=goal.pk, remove=True)
    programme = _agree(personas, Programme.objects.get(pk=programme.pk), agreed=False)
    assert programme.status == ProgrammeStatus.REFUSED and programme.version == 3
    third = ProgrammeVersion.objects.get(programme=programme, number=3)
    assert third.agreement == "refused"
    assert [(c["what"], c["change"]) for c in third.changes] == [("goal", "removed")]

    programme = services.programme_close(actor=personas["officer"], programme=programme, on=today, reason="Бас тартты")
    assert programme.status == ProgrammeStatus.CLOSED and programme.closed_on == today
    with pytest.raises(DomainError):
        services.measure_add(
            actor=personas["officer"], programme=programme, data=MeasureInput(measure="housing", due_on=today)
        )
    assert [s.to_status for s in programme.status_changes.all()] == [
        "draft",
        "agreed",
        "draft",
        "agreed",
        "draft",
        "refused",
        "closed",
    ]


def test_progress_of_a_measure_is_not_a_new_version(personas, case):
    programme = _open(
        personas,
        case,
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=local_today())],
    )
    programme = _agree(personas, programme)
    measure = programme.measures.get()
    with pytest.raises(DomainError) as err:
        services.measure_progress(actor=personas["officer"], programme=programme, measure_id=measure.pk, status="done")
    assert err.value.field == "outcome"
    services.measure_progress(
        actor=personas["officer"], programme=programme, measure_id=measure.pk, status="done", outcome="Куәлік алынды"
    )
    programme.refresh_from_db()
    measure.refresh_from_db()
    assert (programme.status, programme.version) == (ProgrammeStatus.AGREED, 1)
    assert (measure.status, measure.outcome_on) == ("done", local_today())


def test_the_person_cannot_agree_to_an_empty_programme(personas, case):
    programme = _open(personas, case)
    with pytest.raises(DomainError):
        _agree(personas, programme)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.DRAFT and not programme.versions.exists()


def test_a_minor_is_reviewed_monthly_and_answers_with_a_representative(personas):
    today = local_today()
    case = active_case(personas, birth_date=today - relativedelta(years=16))
    programme = _open(
        personas,
        case,
        measures=[MeasureInput(measure="secondary_education", due_on=today)],
        goals=[GoalInput(domain="education_employment")],
    )
    with pytest.raises(DomainError) as err:
        _agree(personas, programme)
    assert err.value.field == "representative"
    programme = _agree(personas, programme, representative="Серікова Айгүл (анасы)")
    assert programme.next_review_on == today + relativedelta(months=1)
    assert programme.versions.get().content["representative"] == "Серікова Айгүл (анасы)"


def test_the_responsible_organisation_must_serve_the_district_and_offer_the_measure(personas, case):
    today = local_today()
    programme = _open(personas, case)
    good = organisation(personas, services=["housing"])
    elsewhere = organisation(personas, services=["housing"], office="office_b", name="Басқа")
    not_offering = organisation(personas, services=["legal_advice"], name="Заң")
    inactive = organisation(personas, services=["housing"], name="Жабық", active=False)
    for org in (elsewhere, not_offering, inactive):
        with pytest.raises(DomainError) as err:
            services.measure_add(
                actor=personas["officer"],
                programme=programme,
                data=MeasureInput(measure="housing", due_on=today, organisation_id=org.pk),
            )
        assert err.value.field == "organisation"
    measure = services.measure_add(
        actor=personas["officer"],
        programme=programme,
        data=MeasureInput(measure="housing", due_on=today, organisation_id=good.pk),
    )
    assert measure.organisation == good
    assert programme.measures.count() == 1


@pytest.mark.parametrize("due", [dt.date(9999, 12, 31), dt.date(1, 1, 1), "far past"])
def test_absurd_due_dates_are_refused(personas, case, due):
    programme = _open(personas, case)
    day = local_today() - dt.timedelta(days=90) if due == "far past" else due
    with pytest.raises(DomainError) as err:
        services.measure_add(
            actor=personas["officer"], programme=programme, data=MeasureInput(measure="housing", due_on=day)
        )
    assert err.value.field == "due_on"
    assert not programme.measures.exists()


def _state(programme: Programme) -> tuple[Any, ...]:
    programme.refresh_from_db()
    return (
        programme.status,
        programme.version,
        programme.goals.count(),
        programme.measures.count(),
        programme.versions.count(),
    )


@pytest.mark.parametrize(
    "who",
    ["other_district", "other_region", "court_liaison", "analyst", "auditor", "sysadmin", "partner", "monitoring"],
)
def test_writes_are_refused_outside_the_case_work_and_change_nothing(personas, case, who):
    today = local_today()
    programme = _open(
        personas,
        case,
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=today)],
    )
    before = _state(programme)
    actor = personas[who]
    attempts = [
        lambda: services.goal_add(actor=actor, programme=programme, data=GoalInput(domain="accommodation", text="Үй")),
        lambda: services.measure_add(
            actor=actor, programme=programme, data=MeasureInput(measure="housing", due_on=today)
        ),
        lambda: services.programme_record_agreement(actor=actor, programme=programme, agreed=True, on=today),
        lambda: services.programme_close(actor=actor, programme=programme, on=today, reason="Жабу"),
        lambda: services.programme_open(actor=actor, case=case, study="Басқа"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert _state(programme) == before


def test_a_case_transferred_away_is_refused_to_its_former_office(personas, case):
    today = local_today()
    programme = _open(personas, case, goals=[GoalInput(domain="documents")])
    Case.objects.filter(pk=case.pk).update(office=personas["office_b"], officer=personas["other_district"])
    programme.refresh_from_db()
    before = _state(programme)
    for who in ("officer", "head", "senior"):
        with pytest.raises(PermissionDeniedError):
            services.measure_add(
                actor=personas[who], programme=programme, data=MeasureInput(measure="housing", due_on=today)
            )
    assert _state(programme) == before
    # The new office works on it; the programme follows the case.
    services.measure_add(
        actor=personas["other_district"], programme=programme, data=MeasureInput(measure="housing", due_on=today)
    )
    programme.refresh_from_db()
    assert programme.office == personas["office_b"] and programme.measures.count() == 1


def test_a_finished_case_refuses_changes(personas, case):
    programme = _open(personas, case)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.COMPLETED)
    with pytest.raises(DomainError):
        services.goal_add(
            actor=personas["officer"], programme=programme, data=GoalInput(domain="documents", text="Құжат")
        )
    assert not programme.goals.exists()


def test_an_officer_may_not_change_a_colleagues_case_but_a_senior_may(personas, case):
    programme = _open(personas, case)
    with pytest.raises(PermissionDeniedError):
        services.goal_add(
            actor=personas["colleague"], programme=programme, data=GoalInput(domain="documents", text="Құжат")
        )
    services.goal_add(actor=personas["senior"], programme=programme, data=GoalInput(domain="documents", text="Құжат"))
    assert programme.goals.count() == 1


def test_review_scan_counts_due_reviews_and_overdue_measures(personas, case):
    today = local_today()
    programme = _open(
        personas,
        case,
        goals=[GoalInput(domain="documents")],
        measures=[MeasureInput(measure="identity_documents", due_on=today)],
    )
    _agree(personas, programme)
    assert services.programme_review_scan(today=today) == {
        "reviews_due": 0,
        "reviews_overdue": 0,
        "measures_overdue": 0,
        "drafts": 0,
    }
    later = today + relativedelta(months=3) + dt.timedelta(days=1)
    assert services.programme_review_scan(today=later) == {
        "reviews_due": 1,
        "reviews_overdue": 1,
        "measures_overdue": 1,
        "drafts": 0,
    }
    reviewed = services.programme_review_record(actor=personas["officer"], programme=programme, on=today, note="")
    assert reviewed.next_review_on == today + relativedelta(months=3)

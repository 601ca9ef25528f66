"""The case pages: caseload (search, filters, paging, query count), the case page and its actions,
opening a case, and the office caseload."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus, CaseStatusChange, CaseType
from openprobation.core.timeutil import local_today
from openprobation.people.models import Person
from openprobation.testing.factories import CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def make_person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


def make_case(**kwargs: Any) -> Case:
    return cast(Case, CaseFactory(**kwargs))


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def case_a(personas):
    person = make_person(registered_office=personas["office_a"], surname="Нұрланов", first_name="Асхат")
    return make_case(person=person, status=CaseStatus.AWAITING_REGISTRATION, registration_due=local_today())


# --- Caseload --------------------------------------------------------------------------------------


def test_officer_caseload_defaults_to_own_open_cases_and_the_preset_can_be_removed(personas):
    officer = personas["officer"]
    mine = make_case(person=make_person(registered_office=personas["office_a"]), officer=officer)
    colleagues = make_case(person=make_person(registered_office=personas["office_a"]), officer=personas["colleague"])
    client = signed_in(officer)
    response = client.get(reverse("cases:caseload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="caseload-table"' in html
    assert 'id="caseload-preset"' in html
    assert mine.number in html
    assert colleagues.number not in html
    chips = {chip["key"]: chip for chip in response.context["chips"]}
    assert set(chips) == {"mine", "open"}
    everything = client.get(reverse("cases:caseload") + chips["mine"]["remove_url"]).content.decode()
    assert colleagues.number in everything
    # Both reads of the list are recorded with the filters in force: the preset, then without it.
    searches = AuditEvent.objects.filter(action="case.search", actor=officer).order_by("id")
    assert [e.details["filters"] for e in searches] == [{"mine": True, "open_only": True}, {"open_only": True}]


def test_caseload_search_by_iin_prefix_and_by_surname_finds_the_case_and_is_audited(personas, case_a):
    client = signed_in(personas["officer"])
    by_iin = client.get(reverse("cases:caseload"), {"q": case_a.person.iin[:6], "applied": "1"})
    assert case_a.number in by_iin.content.decode()
    by_name = client.get(reverse("cases:caseload"), {"q": "Нұрланов", "applied": "1"})
    assert case_a.number in by_name.content.decode()
    by_number = client.get(reverse("cases:caseload"), {"q": case_a.number, "applied": "1"})
    assert by_number.context["page_obj"].paginator.count == 1
    events = AuditEvent.objects.filter(action="case.search").order_by("id")
    assert [e.details["query"] for e in events] == [case_a.person.iin[:6], "Нұрланов", case_a.number]


def test_caseload_filters_by_status_and_shows_the_overdue_tag(personas):
    person = make_person(registered_office=personas["office_a"])
    late = make_case(
        person=person, status=CaseStatus.AWAITING_REGISTRATION, registration_due=local_today() - dt.timedelta(days=1)
    )
    active = make_case(person=person, status=CaseStatus.ACTIVE)
    response = signed_in(personas["head"]).get(
        reverse("cases:caseload"), {"status": "awaiting_registration", "applied": "1"}
    )
    html = response.content.decode()
    assert late.number in html
    assert active.number not in html
    assert "Overdue registration" in html
    event = AuditEvent.objects.get(action="case.search")
    assert event.details["filters"]["status"] == "awaiting_registration"


def test_caseload_htmx_request_gets_only_the_results(personas, case_a):
    response = signed_in(personas["head"]).get(reverse("cases:caseload"), {"applied": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="caseload-results"')
    assert "<html" not in html
    assert case_a.number in html


def test_caseload_of_another_district_does_not_show_our_cases(personas, case_a):
    response = signed_in(personas["other_district"]).get(reverse("cases:caseload"), {"applied": "1"})
    assert case_a.number not in response.content.decode()


def _caseload_queries(client) -> int:
    client.get(reverse("cases:caseload"), {"applied": "1"})  # warm up: the audit chain head is created once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:caseload"), {"applied": "1", "sort": "number"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_caseload_query_count_does_not_grow_with_page_size(personas, django_assert_num_queries):
    head = personas["head"]
    for _ in range(5):
        make_case(person=make_person(registered_office=personas["office_a"]), officer=personas["officer"])
    client = signed_in(head)
    few = _caseload_queries(client)
    for _ in range(20):
        make_case(person=make_person(registered_office=personas["office_a"]), officer=personas["officer"])
    with django_assert_num_queries(few):
        response = client.get(reverse("cases:caseload"), {"applied": "1", "sort": "number"})
    assert len(response.context["page_obj"].object_list) == 25


# --- The case page ---------------------------------------------------------------------------------


def test_case_page_shows_the_case_and_is_audited(personas, case_a):
    response = signed_in(personas["officer"]).get(reverse("cases:detail", args=[case_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert case_a.number in html
    assert reverse("people:detail", args=[case_a.person.pk]) in html
    assert AuditEvent.objects.filter(action="case.view", subject_id=str(case_a.pk)).count() == 1


def test_a_refused_case_page_is_not_recorded_as_a_view(personas, case_a):
    assert signed_in(personas["other_district"]).get(reverse("cases:detail", args=[case_a.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="case.view").exists()


def test_actions_follow_permissions(personas, case_a):
    """The case page offers only the actions the user may take; each opens its own form page."""
    officer_html = signed_in(personas["officer"]).get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    head_html = signed_in(personas["head"]).get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    court_html = signed_in(personas["court_liaison"]).get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    for key in ("allocate", "transfer", "register", "transition"):  # not allocated to the officer
        assert f'id="action-{key}"' not in officer_html
        assert f'id="action-{key}"' in head_html
        assert f'id="action-{key}"' not in court_html
    # No form on the case page itself: one at a time, on its own page.
    assert "<form" not in _main(head_html)
    head = signed_in(personas["head"])
    for key in ("register", "transition", "allocate", "transfer"):
        page = head.get(reverse(f"cases:{key}", args=[case_a.pk]))
        assert page.status_code == 200
        assert _main(page.content.decode()).count("<form") == 1
        assert f'id="{key}-form"' in page.content.decode()
        assert signed_in(personas["court_liaison"]).get(reverse(f"cases:{key}", args=[case_a.pk])).status_code == 403
        assert signed_in(personas["officer"]).get(reverse(f"cases:{key}", args=[case_a.pk])).status_code == 403


def _main(html: str) -> str:
    """The page's own content, without the header's forms (language, sign-out, search)."""
    return html.split('id="main-content"', 1)[1].split("</main>", 1)[0]


def test_case_page_query_count_does_not_grow_with_history(personas, case_a, django_assert_num_queries):
    client = signed_in(personas["head"])
    client.get(reverse("cases:detail", args=[case_a.pk]))  # warm up: the audit chain head is created once
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("cases:detail", args=[case_a.pk]))
    for n in range(15):
        CaseStatusChange.objects.create(
            case=case_a,
            from_status="registered",
            to_status="awaiting_registration",
            reason=f"r{n}",
            effective_on=local_today(),
        )
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert len(response.context["timeline"].entries) == 15


def test_allocate_register_transition_and_transfer_through_the_pages(personas, case_a):
    head, officer = personas["head"], personas["officer"]
    head_client, officer_client = signed_in(head), signed_in(officer)

    r = head_client.post(reverse("cases:allocate", args=[case_a.pk]), {"officer": officer.pk, "reason": "Новое дело"})
    assert r.status_code == 302
    case_a.refresh_from_db()
    assert case_a.officer == officer

    r = officer_client.post(reverse("cases:register", args=[case_a.pk]), {"registered_on": local_today().isoformat()})
    assert r.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.REGISTERED

    r = officer_client.post(
        reverse("cases:transition", args=[case_a.pk]), {"to_status": "active", "reason": "Начат контроль"}
    )
    assert r.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.ACTIVE

    r = head_client.post(
        reverse("cases:transfer", args=[case_a.pk]), {"to_office": personas["office_b"].pk, "reason": "Переезд"}
    )
    assert r.status_code == 302
    case_a.refresh_from_db()
    assert case_a.office == personas["office_b"]
    assert case_a.officer is None

    actions = list(AuditEvent.objects.filter(subject_id=str(case_a.pk)).values_list("action", flat=True))
    assert actions.count("case.allocate") == 1
    assert actions.count("case.transition") == 2
    assert actions.count("case.transfer") == 1
    page = head_client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert "Transferred from" in page  # the history stays readable for the old office


def test_transition_without_reason_shows_the_error_and_changes_nothing(personas, case_a):
    case_a.officer = personas["officer"]
    case_a.status = CaseStatus.REGISTERED
    case_a.save()
    r = signed_in(personas["officer"]).post(
        reverse("cases:transition", args=[case_a.pk]), {"to_status": "active", "reason": ""}
    )
    assert r.status_code == 200
    assert 'id="id_reason_error"' in r.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.REGISTERED


def test_registering_before_the_order_was_received_is_shown_on_the_date(personas, case_a):
    r = signed_in(personas["head"]).post(reverse("cases:register", args=[case_a.pk]), {"registered_on": "2020-01-01"})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="id_registered_on_error"' in html
    assert "cannot be registered before" in html


# --- Opening a case --------------------------------------------------------------------------------


def _sentence(person_pk: int, **overrides) -> dict[str, str]:
    today = local_today()
    data = {
        "person": str(person_pk),
        "case_type": "sentence",
        "received_on": (today - dt.timedelta(days=5)).isoformat(),
        "court": "Алматы аудандық соты",
        "decision_number": "1-77/2026",
        "decision_date": (today - dt.timedelta(days=30)).isoformat(),
        "effective_date": (today - dt.timedelta(days=15)).isoformat(),
        "cc_articles": "188 ч.2",
        "sentence_kind": "restriction_of_liberty",
        "term_months": "12",
        "term_days": "0",
    }
    data.update(overrides)
    return data


def test_open_case_shows_type_choice_first_then_the_fields_of_the_type(personas):
    person = make_person(registered_office=personas["office_a"])
    client = signed_in(personas["officer"])
    first = client.get(reverse("cases:open"), {"person": person.pk}).content.decode()
    assert 'id="case-form"' in first
    assert 'name="case_type"' in first
    assert 'name="court"' not in first
    sentence = client.get(reverse("cases:open"), {"person": str(person.pk), "case_type": "sentence"}).content.decode()
    assert 'name="term_months"' in sentence
    assert 'name="restraint_measure"' not in sentence
    pretrial = client.get(reverse("cases:open"), {"person": str(person.pk), "case_type": "pre_trial"}).content.decode()
    assert 'name="restraint_measure"' in pretrial
    assert 'name="term_months"' not in pretrial


def test_officer_opens_a_sentence_case(personas):
    person = make_person(registered_office=personas["office_a"])
    response = signed_in(personas["officer"]).post(reverse("cases:open"), _sentence(person.pk))
    assert response.status_code == 302
    case = Case.objects.get(person=person)
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.case_type == CaseType.SENTENCE
    assert case.control_end is not None
    assert AuditEvent.objects.filter(action="case.open", subject_id=str(case.pk)).exists()
    page = signed_in(personas["officer"]).get(response["Location"]).content.decode()
    assert 'id="case-forced-labour"' in page
    assert 'id="case-control"' in page


def test_restriction_of_liberty_of_four_months_is_refused_naming_the_article(personas):
    person = make_person(registered_office=personas["office_a"])
    response = signed_in(personas["officer"]).post(reverse("cases:open"), _sentence(person.pk, term_months="4"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CC art. 44(1)" in html
    assert 'id="id_term_months_error"' in html
    assert not Case.objects.exists()


def test_pre_trial_with_house_arrest_is_refused_with_the_explanation(personas):
    minor_birth = local_today().replace(year=local_today().year - 16) - dt.timedelta(days=10)
    person = make_person(registered_office=personas["office_a"], birth_date=minor_birth)
    data = {
        "person": str(person.pk),
        "case_type": "pre_trial",
        "received_on": local_today().isoformat(),
        "restraint_measure": "house_arrest",
        "consent_date": local_today().isoformat(),
    }
    response = signed_in(personas["officer"]).post(reverse("cases:open"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_restraint_measure_error"' in html
    assert "house arrest" in html
    assert "pre-trial probation does not apply" in html
    assert not Case.objects.exists()


def test_sentence_case_without_legal_basis_is_refused_on_the_fields(personas):
    person = make_person(registered_office=personas["office_a"])
    response = signed_in(personas["officer"]).post(reverse("cases:open"), _sentence(person.pk, court=""))
    assert 'id="id_court_error"' in response.content.decode()
    assert not Case.objects.exists()


# --- Office caseload ------------------------------------------------------------------------------


def test_head_sees_office_caseload_with_over_capacity_and_unallocated(personas):
    office = personas["office_a"]
    office.officer_capacity = 2
    office.save()
    for _ in range(3):
        make_case(person=make_person(registered_office=office), officer=personas["officer"])
    make_case(person=make_person(registered_office=office), officer=None)
    response = signed_in(personas["head"]).get(reverse("cases:office_caseload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="office-caseload-table"' in html
    assert "op-row-over" in html
    assert response.context["unallocated"] == 1
    assert "unallocated=1" in html


def test_office_caseload_of_an_office_outside_the_jurisdiction_is_not_found(personas):
    other = signed_in(personas["other_head"])
    assert other.get(reverse("cases:office_caseload"), {"office": personas["office_a"].pk}).status_code == 404
    regional = signed_in(personas["regional_admin"])
    assert regional.get(reverse("cases:office_caseload"), {"office": personas["office_b"].pk}).status_code == 200
    assert regional.get(reverse("cases:office_caseload"), {"office": personas["office_c"].pk}).status_code == 404


def test_unallocated_link_filters_the_caseload(personas):
    office = personas["office_a"]
    allocated = make_case(person=make_person(registered_office=office), officer=personas["officer"])
    loose = make_case(person=make_person(registered_office=office), officer=None)
    html = (
        signed_in(personas["head"])
        .get(reverse("cases:caseload"), {"office": office.pk, "open": "1", "unallocated": "1", "applied": "1"})
        .content.decode()
    )
    assert loose.number in html
    assert allocated.number not in html

"""The case page and the API call the same domain functions and agree: registration overdue,
forced labour (judged on one stated date), the control period shown, who may carry cases, the
timeline, and what is recorded as a read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openprobation.accounts.roles import carries_cases
from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case, CaseStatus
from openprobation.cases.services import CaseInput, case_open
from openprobation.cases.terms import case_forced_labour, registration_overdue
from openprobation.core.timeutil import local_today
from openprobation.testing.clients import api_client as api
from openprobation.testing.clients import web_client as web
from openprobation.testing.factories import a_case, a_person

D = dt.date
pytestmark = pytest.mark.django_db


def restriction_case(personas: dict[str, Any], **person: Any) -> Case:
    who = a_person(registered_office=personas["office_a"], employment_status="unemployed", **person)
    case = case_open(
        actor=personas["officer"],
        person=who,
        office=personas["office_a"],
        data=CaseInput(
            case_type="sentence",
            received_on=D(2026, 1, 20),
            court="Суд",
            decision_number="1-1/2026",
            decision_date=D(2026, 1, 5),
            effective_date=D(2026, 1, 15),
            sentence_kind="restriction_of_liberty",
            term_months=6,
        ),
    )
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACTIVE, officer=personas["officer"])
    case.refresh_from_db()
    return case


def test_page_and_api_show_the_same_forced_labour_judged_on_the_same_date(personas):
    # Control ran 15 January – 14 July 2026; judged on its last day once it has ended.
    case = restriction_case(personas)
    page = web(personas["officer"]).get(reverse("cases:detail", args=[case.pk]))
    body = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/").json()
    shown = page.context["forced_labour"]
    assert shown.judged_on == D(2026, 7, 14)
    assert body["forced_labour"]["judged_on"] == "2026-07-14"
    assert body["forced_labour"]["applies"] is shown.applies is True
    assert body["forced_labour"]["exemptions"] == shown.exemptions == []
    assert "Judged on 14.07.2026" in page.content.decode()


def test_forced_labour_is_judged_again_when_the_persons_circumstances_change(personas):
    case = restriction_case(personas)
    assert case_forced_labour(case, today=local_today()).applies  # type: ignore[union-attr]
    answer = api(personas["officer"]).patch(
        f"/api/v1/people/{case.person.pk}/", {"employment_status": "student"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    body = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["forced_labour"]["applies"] is False
    assert body["forced_labour"]["exemptions"] == ["in permanent work or education"]
    page = web(personas["officer"]).get(reverse("cases:detail", args=[case.pk]))
    assert page.context["forced_labour"].exemptions == ["in permanent work or education"]


def test_page_and_api_agree_on_registration_overdue_everywhere(personas):
    late = a_case(
        person=a_person(registered_office=personas["office_a"]),
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_due=local_today() - dt.timedelta(days=1),
        officer=personas["officer"],
    )
    due_today = a_case(
        person=a_person(registered_office=personas["office_a"]),
        status=CaseStatus.AWAITING_REGISTRATION,
        registration_due=local_today(),
        officer=personas["officer"],
    )
    assert registration_overdue(late, today=local_today())
    assert not registration_overdue(due_today, today=local_today())
    client, rest = web(personas["officer"]), api(personas["officer"])
    for case, expected in ((late, True), (due_today, False)):
        assert client.get(reverse("cases:detail", args=[case.pk])).context["overdue"] is expected
        assert rest.get(f"/api/v1/cases/{case.pk}/").json()["registration_overdue"] is expected
        assert rest.get(f"/api/v1/cases/{case.pk}/").json()["registration"]["overdue"] is expected
    listed = [c["id"] for c in rest.get("/api/v1/cases/", {"overdue": "true"}).json()["results"]]
    paged = client.get(reverse("cases:caseload"), {"overdue": "1", "applied": "1"}).context["page_obj"]
    assert listed == [c.pk for c in paged] == [late.pk]
    home = client.get(reverse("home")).context
    assert home["overdue_count"] == 1
    assert [c.pk for c in home["overdue_cases"]] == [late.pk]


def test_page_and_api_show_the_same_control_period_and_source(personas):
    case = restriction_case(personas)
    page = web(personas["officer"]).get(reverse("cases:detail", args=[case.pk]))
    terms = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/").json()["terms"]
    assert (terms["control_start"], terms["control_end"]) == ("2026-01-15", "2026-07-14")
    assert page.context["terms"].control_end == D(2026, 7, 14)
    assert terms["source"] == page.context["control_source"] == "CC art. 44(1)"
    # The internal rule key is never shown.
    assert "sentence.restriction_of_liberty" not in page.content.decode()
    assert "registration.other" not in page.content.decode()


def test_only_caseworkers_carry_cases_in_the_page_and_the_api(personas):
    case = restriction_case(personas)
    assert carries_cases(personas["officer"]) and carries_cases(personas["senior"])
    assert not carries_cases(personas["head"])
    # A senior officer may not allocate a case to the head of office: the API refuses it ...
    answer = api(personas["senior"]).post(
        f"/api/v1/cases/{case.pk}/allocate/", {"officer": personas["head"].pk, "reason": "x"}, format="json"
    )
    assert answer.status_code == 400
    assert "officer" in answer.json()["errors"]
    # ... and the page does not offer the head, and refuses a forged choice.
    form = web(personas["senior"]).get(reverse("cases:allocate", args=[case.pk])).context["form"]
    offered = {pk for pk, _label in form.fields["officer"].choices if pk}
    assert personas["head"].pk not in offered
    assert {personas["officer"].pk, personas["senior"].pk} <= offered
    forged = web(personas["senior"]).post(
        reverse("cases:allocate", args=[case.pk]), {"officer": personas["head"].pk, "reason": "x"}
    )
    assert forged.status_code == 200
    case.refresh_from_db()
    assert case.officer == personas["officer"]


def test_page_and_api_show_the_same_timeline_page(personas):
    case = restriction_case(personas)
    for n in range(25):
        api(personas["head"]).post(
            f"/api/v1/cases/{case.pk}/allocate/",
            {"officer": (personas["colleague"] if n % 2 == 0 else personas["officer"]).pk, "reason": f"r{n}"},
            format="json",
        )
    for page_number in (1, 2):
        html_page = web(personas["officer"]).get(reverse("cases:detail", args=[case.pk]), {"history": page_number})
        shown = html_page.context["timeline"]
        body = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/timeline/", {"page": page_number}).json()
        assert [e.ref for e in shown.entries] == [e["ref"] for e in body["results"]]
        assert shown.has_next == body["has_next"]
    first = api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/timeline/").json()
    assert first["results"][0]["detail"] == "r24"  # newest first
    assert first["has_next"] is True


def test_page_and_api_record_the_same_reads(personas):
    case = restriction_case(personas)
    start = AuditEvent.objects.count()
    web(personas["officer"]).get(reverse("cases:detail", args=[case.pk]))
    web(personas["officer"]).get(reverse("cases:caseload"), {"q": "Ахметов", "applied": "1"})
    page_events = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[start:])
    start = AuditEvent.objects.count()
    api(personas["officer"]).get(f"/api/v1/cases/{case.pk}/")
    api(personas["officer"]).get("/api/v1/cases/", {"q": "Ахметов"})
    api_events = list(AuditEvent.objects.order_by("id").values_list("action", flat=True)[start:])
    assert page_events == api_events == ["case.view", "case.search"]

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from openprobation.audit.models import AuditEvent
from openprobation.cases.models import CourtDecision, DecisionKind
from openprobation.conditions.casepage import actions, facts, section
from openprobation.conditions.models import CaseCondition
from openprobation.conditions.services import case_condition_add
from openprobation.testing.clients import api_client, web_client
from openprobation.testing.factories import a_case

pytestmark = pytest.mark.django_db
START = dt.date(2026, 1, 14)


@pytest.fixture
def case(personas):
    return a_case(
        person__registered_office=personas["office_a"],
        person__native_language="kk",
        officer=personas["officer"],
        control_end=dt.date(2028, 1, 14),
    )


def _add(personas, case, code="no_leave_locality", params=None, **kw):
    return case_condition_add(
        actor=personas["officer"],
        case=case,
        code=code,
        params={"zone": "Алматы"} if params is None else params,
        in_force_from=kw.pop("in_force_from", START),
        **kw,
    )


def test_add_page_chooses_then_shows_typed_fields(personas, case):
    client = web_client(personas["officer"])
    url = reverse("conditions:add", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="code"' in page.content
    assert b"p_times_from" not in page.content
    page = client.post(url, {"code": "home_at_hours", "choose": "1"})
    assert page.status_code == 200
    assert b'name="p_times_from"' in page.content and b'name="p_weekdays"' in page.content
    assert not CaseCondition.objects.exists()
    page = client.get(url + "?code=home_at_hours")
    assert b'name="p_times_to"' in page.content


def test_add_page_enters_a_duty(personas, case):
    client = web_client(personas["officer"])
    url = reverse("conditions:add", args=[case.pk])
    data = {
        "code": "home_at_hours",
        "decision": "original",
        "in_force_from": "2026-01-20",
        "p_times_from": "22:00",
        "p_times_to": "06:00",
        "p_weekdays": ["1", "2", "3", "4", "5"],
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    condition = CaseCondition.objects.get()
    assert condition.params == {"times": {"from": "22:00", "to": "06:00"}, "weekdays": [1, 2, 3, 4, 5]}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"p_times_from": "25:00"}, "p_times_from"),
        ({"p_times_from": "٢٢:٠٠"}, "p_times_from"),
        ({"p_weekdays": []}, "p_weekdays"),
        ({"in_force_from": "2025-01-01"}, "in_force_from"),
        ({"in_force_from": "99999-01-01"}, "in_force_from"),
        ({"decision": "999999999999999999999"}, "decision"),
    ],
)
def test_add_page_refuses_bad_input_clearly(personas, case, extra, field):
    client = web_client(personas["officer"])
    data = {
        "code": "home_at_hours",
        "decision": "original",
        "in_force_from": "2026-01-20",
        "p_times_from": "22:00",
        "p_times_to": "06:00",
        "p_weekdays": ["1"],
        **extra,
    }
    response = client.post(reverse("conditions:add", args=[case.pk]), data)
    assert response.status_code == 400
    assert f'id="id_{field}_error"'.encode() in response.content or b"usa-error-message" in response.content
    assert not CaseCondition.objects.exists()


def test_add_page_with_a_later_decision(personas, case):
    decision = CourtDecision.objects.create(
        case=case,
        kind=DecisionKind.DUTIES_CHANGED,
        court="Суд",
        number="5/2026",
        decision_date=dt.date(2026, 4, 1),
        effective_date=dt.date(2026, 4, 10),
        duties_added=["не посещать бары"],
    )
    client = web_client(personas["senior"])
    response = client.post(
        reverse("conditions:add", args=[case.pk]),
        {
            "code": "no_visit_places",
            "decision": str(decision.pk),
            "in_force_from": "2026-04-10",
            "p_places": "бары\n\nказино",
        },
    )
    assert response.status_code == 302
    condition = CaseCondition.objects.get()
    assert condition.decision == decision and condition.params == {"places": ["бары", "казино"]}


@pytest.mark.parametrize("who", ["other_district", "analyst", "auditor", "sysadmin", "colleague", "court_liaison"])
def test_pages_refuse_other_personas(personas, case, who):
    condition = _add(personas, case)
    client = web_client(personas[who])
    add = client.post(
        reverse("conditions:add", args=[case.pk]),
        {"code": "forced_labour", "decision": "original", "in_force_from": "2026-01-20"},
    )
    end = client.post(reverse("conditions:end", args=[case.pk, condition.pk]), {"reason": "x"})
    assert add.status_code in (403, 404) and end.status_code in (403, 404)
    assert CaseCondition.objects.count() == 1
    condition.refresh_from_db()
    assert condition.ended_on is None


def test_end_page(personas, case):
    condition = _add(personas, case)
    decision = CourtDecision.objects.create(
        case=case,
        kind=DecisionKind.DUTIES_CHANGED,
        court="Суд",
        number="6/2026",
        decision_date=dt.date(2026, 5, 1),
        effective_date=dt.date(2026, 5, 5),
    )
    client = web_client(personas["officer"])
    url = reverse("conditions:end", args=[case.pk, condition.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Алматы" in page.content.decode()
    bad = client.post(url, {"decision": str(decision.pk), "ended_on": "2026-05-01", "reason": "Суд"})
    assert bad.status_code == 400
    ok = client.post(url, {"decision": str(decision.pk), "ended_on": "2026-05-05", "reason": "Суд"})
    assert ok.status_code == 302
    condition.refresh_from_db()
    assert condition.ended_on == dt.date(2026, 5, 5)
    assert client.get(url).status_code == 404  # already ended


def test_notice_in_the_persons_language_and_others(personas, case):
    _add(personas, case)
    client = web_client(personas["officer"])
    url = reverse("conditions:notice", args=[case.pk])
    kk = client.get(url).content.decode()
    assert "пробация қызметінің рұқсатынсыз әкімшілік-аумақтық бірліктің (Алматы) шегінен шықпау" in kk
    ru = client.get(url + "?lang=ru").content.decode()
    assert "не выезжать за пределы административно-территориальной единицы (Алматы)" in ru
    en = client.get(url + "?lang=xx").content.decode()
    assert "шегінен шықпау" in en  # an unknown language: the person's own
    assert client.get(url, {"lang": {"a": 1}}).status_code == 200
    assert web_client(personas["other_region"]).get(url).status_code == 404
    assert web_client(personas["analyst"]).get(url).status_code in (403, 404)


def test_case_page_providers(personas, case):
    _add(personas, case)
    today = dt.date(2026, 3, 1)
    with translation.override("en"):
        [fact] = facts(user=personas["officer"], case=case, today=today)
        assert (fact.key, fact.order, fact.value, fact.data) == ("duties", 30, "1", 1)
        found = section(user=personas["officer"], case=case, today=today)
        html = render_to_string(found.template, found.context)
        assert html == render_to_string(found.template, {"section": found.context})
        # The person's language (Kazakh) and the officer's (English) both shown.
        assert "шегінен шықпау" in html and "not to leave the administrative-territorial unit (Алматы)" in html
        assert reverse("conditions:end", args=[case.pk, case.conditions.get().pk]) in html
        assert [a.key for a in actions(user=personas["officer"], case=case)] == ["add_condition"]
        for who in ("colleague", "other_district", "analyst", "sysadmin"):
            assert actions(user=personas[who], case=case) == []
        viewer = section(user=personas["court_liaison"], case=case, today=today)
        assert "End this duty" not in render_to_string(viewer.template, viewer.context)


def test_api_list_add_end(personas, case):
    client = api_client(personas["officer"])
    url = f"/api/v1/cases/{case.pk}/conditions/"
    created = client.post(
        url,
        {"code": "report_to_office", "params": {"reports": 2, "period": "month"}, "in_force_from": "2026-01-20"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["code"] == "report_to_office" and body["person_language"] == "kk"
    assert "(reports per month: 2)" in body["text"] and "(айына келу саны: 2)" in body["person_text"]
    listed = client.get(url)
    assert listed.status_code == 200 and [c["id"] for c in listed.json()] == [body["id"]]
    assert AuditEvent.objects.filter(action="case.view", details__part="conditions").exists()
    decision = CourtDecision.objects.create(
        case=case,
        kind=DecisionKind.DUTIES_CHANGED,
        court="Суд",
        number="7/2026",
        decision_date=dt.date(2026, 6, 1),
        effective_date=dt.date(2026, 6, 1),
    )
    end_url = f"{url}{body['id']}/end/"
    ended = client.post(end_url, {"decision": decision.pk, "ended_on": "2026-06-01", "reason": "Суд"}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-06-01"


@pytest.mark.parametrize(
    "payload",
    [
        {"code": "report_to_office", "params": {"reports": 10**40, "period": "month"}, "in_force_from": "2026-01-20"},
        {"code": "report_to_office", "params": {"reports": "２", "period": "month"}, "in_force_from": "2026-01-20"},
        {"code": "report_to_office", "params": {"a": {"b": {"c": [1, {"d": 2}]}}}, "in_force_from": "2026-01-20"},
        {"code": "report_to_office", "params": "nested", "in_force_from": "2026-01-20"},
        {"code": "x" * 500, "params": {}, "in_force_from": "2026-01-20"},
        {"code": "forced_labour", "params": {}, "in_force_from": "2026-13-45"},
        {"code": "forced_labour", "params": {}, "in_force_from": "9999-12-31"},
        {"code": "forced_labour", "params": {}, "in_force_from": "2026-01-20", "decision": 10**30},
        {"code": "forced_labour", "params": {}, "in_force_from": "2026-01-20", "decision": 999999},
    ],
)
def test_api_odd_input_is_a_clear_400(personas, case, payload):
    response = api_client(personas["officer"]).post(f"/api/v1/cases/{case.pk}/conditions/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not CaseCondition.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("other_region", 404), ("analyst", 404), ("sysadmin", 404), ("colleague", 403)]
)
def test_api_refusals_change_nothing(personas, case, who, status):
    condition = _add(personas, case)
    client = api_client(personas[who])
    url = f"/api/v1/cases/{case.pk}/conditions/"
    response = client.post(url, {"code": "forced_labour", "params": {}, "in_force_from": "2026-01-20"}, format="json")
    assert response.status_code == status
    response = client.post(
        f"{url}{condition.pk}/end/", {"decision": 1, "ended_on": "2026-06-01", "reason": "x"}, format="json"
    )
    assert response.status_code == status
    assert CaseCondition.objects.count() == 1 and CaseCondition.objects.get().ended_on is None


def test_api_catalogue(personas):
    response = api_client(personas["court_liaison"]).get("/api/v1/conditions/catalogue/")
    assert response.status_code == 200
    codes = [d["code"] for d in response.json()]
    assert len(codes) == 10 and codes[0] == "report_to_office"
    for who in ("analyst", "auditor", "sysadmin"):
        assert api_client(personas[who]).get("/api/v1/conditions/catalogue/").status_code == 403


def test_a_duties_changed_decision_prompts_and_preselects(personas, case):
    decision = CourtDecision.objects.create(
        case=case,
        kind=DecisionKind.DUTIES_CHANGED,
        court="Суд",
        number="8/2026",
        decision_date=dt.date(2026, 7, 1),
        effective_date=dt.date(2026, 7, 3),
        duties_added=["находиться дома с 22:00"],
    )
    found = section(user=personas["officer"], case=case, today=dt.date(2026, 7, 5))
    html = render_to_string(found.template, found.context)
    assert f"?decision={decision.pk}" in html and "находиться дома с 22:00" in html
    client = web_client(personas["officer"])
    page = client.get(reverse("conditions:add", args=[case.pk]) + f"?decision={decision.pk}").content.decode()
    assert f'<option value="{decision.pk}" selected>' in page and 'value="03.07.2026"' in page
    kept = client.post(
        reverse("conditions:add", args=[case.pk]),
        {"decision": str(decision.pk), "code": "forced_labour", "choose": "1"},
    ).content.decode()
    assert f'<option value="{decision.pk}" selected>' in kept
    _add(personas, case, code="forced_labour", params={}, decision=decision, in_force_from=dt.date(2026, 7, 3))
    found = section(user=personas["officer"], case=case, today=dt.date(2026, 7, 5))
    assert "?decision=" not in render_to_string(found.template, found.context)


def test_timeline_entries(personas, case):
    from openprobation.core.timeline import timeline_page

    condition = _add(personas, case)
    decision = CourtDecision.objects.create(
        case=case,
        kind=DecisionKind.DUTIES_CHANGED,
        court="Суд",
        number="9/2026",
        decision_date=dt.date(2026, 8, 1),
        effective_date=dt.date(2026, 8, 1),
    )
    from openprobation.conditions.services import case_condition_end

    case_condition_end(
        actor=personas["officer"], condition=condition, decision=decision, ended_on=dt.date(2026, 8, 1), reason="Суд"
    )
    with translation.override("en"):
        entries = [e for e in timeline_page(user=personas["officer"], case=case).entries if e.kind == "condition"]
        assert [e.title for e in entries] == [
            "Duty ended: Not leave the locality without permission",
            "Duty entered: Not leave the locality without permission",
        ]
        person_entries = timeline_page(user=personas["officer"], person=case.person).entries
        assert sum(e.kind == "condition" for e in person_entries) == 2
        assert not [
            e for e in timeline_page(user=personas["other_region"], person=case.person).entries if e.kind == "condition"
        ]


def test_case_page_providers_use_constant_queries(personas, case, django_assert_num_queries):
    from openprobation.cases.selectors import case_detail

    def count_for(n):
        CaseCondition.objects.all().delete()
        codes = ["forced_labour", "wear_em_device", "no_change_residence_work", "no_leave_locality"]
        for code in codes[:n]:
            _add(personas, case, code=code, params={"zone": "Алматы"} if code == "no_leave_locality" else {})
        shown = case_detail(user=personas["officer"], pk=case.pk)
        return shown

    one = count_for(1)
    with django_assert_num_queries(2):
        facts(user=personas["officer"], case=one, today=dt.date(2026, 3, 1))
        section(user=personas["officer"], case=one, today=dt.date(2026, 3, 1))
    four = count_for(4)
    with django_assert_num_queries(2):
        facts(user=personas["officer"], case=four, today=dt.date(2026, 3, 1))
        section(user=personas["officer"], case=four, today=dt.date(2026, 3, 1))


@pytest.mark.parametrize(
    "path",
    [
        "/cases/99999999999999999999999/conditions/add/",
        "/cases/{pk}/conditions/99999999999999999999999/end/",
        "/cases/99999999999999999999999/conditions/notice/",
        "/api/v1/cases/{pk}/conditions/99999999999999999999999/end/",
        "/api/v1/cases/99999999999999999999999/conditions/",
    ],
)
def test_huge_ids_are_not_found(personas, case, path):
    client = web_client(personas["officer"])
    url = path.format(pk=case.pk)
    response = client.post(url, {}) if "end" in url else client.get(url)
    assert response.status_code == 404


def test_former_office_pages_refuse(personas, case):
    from openprobation.cases.services import case_transfer

    condition = _add(personas, case)
    case_transfer(actor=personas["head"], case=case, to_office=personas["office_b"], reason="moved")
    client = web_client(personas["head"])
    assert client.get(reverse("conditions:add", args=[case.pk])).status_code == 403
    response = client.post(reverse("conditions:end", args=[case.pk, condition.pk]), {"reason": "x"})
    assert response.status_code == 403
    # The former office still reads the history.
    assert client.get(reverse("conditions:notice", args=[case.pk])).status_code == 200
    assert CaseCondition.objects.get().ended_on is None

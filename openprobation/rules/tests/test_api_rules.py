"""The rulebook over the API: readable by any signed-in member of staff, by date."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from openprobation.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TERM = "sentence.restriction_of_liberty.term"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["officer", "analyst", "partner", "auditor", "sysadmin"])
def test_any_staff_member_reads_the_rulebook(personas, who):
    answer = signed_in(personas[who]).get("/api/v1/rules/")
    assert answer.status_code == 200
    keys = {r["key"] for r in answer.json()}
    assert {"pretrial.eligibility", TERM, "sentence.forced_labour"} <= keys
    assert not AuditEvent.objects.exists()


def test_list_on_a_date_keeps_only_the_versions_in_force(personas):
    rules = signed_in(personas["officer"]).get("/api/v1/rules/", {"on": "2019-06-01"}).json()
    terms = [r for r in rules if r["key"] == TERM]
    assert [r["version"] for r in terms] == [1]
    every = signed_in(personas["officer"]).get("/api/v1/rules/").json()
    assert [r["version"] for r in every if r["key"] == TERM] == [1, 2]


def test_a_rule_by_key_and_date(personas):
    client = signed_in(personas["officer"])
    old = client.get(f"/api/v1/rules/{TERM}/", {"on": "2019-06-01"}).json()
    assert old["version"] == 1
    assert old["params"]["min_months"] == 12
    current = client.get(f"/api/v1/rules/{TERM}/").json()
    assert current["version"] == 2
    assert current["params"] == {"min_months": 6, "max_months": 84}
    assert current["source"] == "CC art. 44(1)"
    assert current["status"] == "V"


def test_unknown_rule_not_in_force_and_bad_dates(personas):
    client = signed_in(personas["officer"])
    unknown = client.get("/api/v1/rules/no.such.rule/")
    assert unknown.status_code == 404
    assert "no.such.rule" in unknown.json()["detail"]
    before = client.get(f"/api/v1/rules/{TERM}/", {"on": "1999-01-01"})
    assert before.status_code == 404
    assert before.json()["code"] == "not_in_force"
    assert client.get(f"/api/v1/rules/{TERM}/", {"on": "01.01.2020"}).status_code == 400
    assert client.get("/api/v1/rules/", {"on": "soon"}).json()["errors"]["on"]

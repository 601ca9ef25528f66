"""API authentication (token and session), who-am-I, offices and the office caseload."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from openprobation.accounts.models import ApiToken
from openprobation.accounts.roles import Cap
from openprobation.accounts.tokens import token_create
from openprobation.audit.models import AuditEvent
from openprobation.cases.models import Case
from openprobation.people.models import Person
from openprobation.testing.factories import TEST_PASSWORD, CaseFactory, PersonFactory

pytestmark = pytest.mark.django_db


def a_person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def a_case(**fields: Any) -> Case:
    return cast(Case, CaseFactory(**fields))


TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Autouse fixtures run before ``personas``, so its fourteen users are hashed cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_and_lockout_state():
    # The anonymous throttle counts in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_token_is_issued_for_the_right_password_and_authenticates_later_calls(personas):
    anonymous = APIClient()
    answer = anonymous.post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json")
    assert answer.status_code == 200
    token = answer.json()["token"]
    assert ApiToken.objects.get(pk=answer.json()["id"]).user == personas["officer"]
    assert AuditEvent.objects.filter(action="auth.token_issue", actor_username="officer").exists()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "officer"


def test_asking_twice_issues_two_tokens(personas):
    client = APIClient()
    first = client.post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json").json()
    second = client.post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json").json()
    assert first["token"] != second["token"]
    assert ApiToken.objects.filter(user=personas["officer"]).count() == 2


def test_wrong_password_gets_400_with_a_message_and_no_token(personas):
    answer = APIClient().post(TOKEN_URL, {"username": "officer", "password": "wrong-password"}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid_credentials"
    assert body["detail"]
    assert not ApiToken.objects.exists()


def test_missing_fields_get_400_naming_the_fields(personas):
    answer = APIClient().post(TOKEN_URL, {}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()["errors"]) == {"username", "password"}


def test_failed_token_attempts_lock_the_user_name_like_the_sign_in_page(personas, settings):
    client = APIClient()
    limit = settings.AXES_FAILURE_LIMIT
    answers = [
        client.post(TOKEN_URL, {"username": "officer", "password": f"wrong-{i}"}, format="json") for i in range(limit)
    ]
    assert [a.status_code for a in answers[:-1]] == [400] * (limit - 1)
    assert answers[-1].status_code == 429
    assert answers[-1].json()["code"] == "locked_out"
    # Locked: even the right password is refused now, in JSON.
    locked = client.post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert not ApiToken.objects.filter(user=personas["officer"]).exists()
    # Other user names are not affected.
    other = client.post(TOKEN_URL, {"username": "colleague", "password": TEST_PASSWORD}, format="json")
    assert other.status_code == 200


def test_inactive_user_gets_no_token(personas):
    officer = personas["officer"]
    officer.is_active = False
    officer.save()
    answer = APIClient().post(TOKEN_URL, {"username": "officer", "password": TEST_PASSWORD}, format="json")
    assert answer.status_code == 400


def test_revoking_the_token_makes_it_useless(personas):
    issued = token_create(user=personas["officer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued.secret}")
    assert client.delete(TOKEN_URL).status_code == 204
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert AuditEvent.objects.filter(action="auth.token_revoke", actor_username="officer").exists()
    after = client.get("/api/v1/me/")
    assert after.status_code == 401


def test_revoking_needs_authentication():
    assert APIClient().delete(TOKEN_URL).status_code == 401


def test_session_of_the_web_ui_authenticates_api_calls(personas):
    client = APIClient()
    client.force_login(personas["head"])
    assert "sessionid" in client.cookies
    answer = client.get("/api/v1/me/")
    assert answer.status_code == 200
    assert answer.json()["role"] == "head_of_office"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/me/", "/api/v1/people/", "/api/v1/cases/", "/api/v1/cases/1/", "/api/v1/audit/events/", "/api/v1/rules/"],
)
def test_anonymous_calls_are_refused_with_401(url):
    answer = APIClient().get(url)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"
    assert answer.json()["code"] == "not_authenticated"


def test_a_bad_token_is_refused_with_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    answer = client.get("/api/v1/me/")
    assert answer.status_code == 401
    assert answer.json()["detail"]


def test_me_lists_role_jurisdiction_and_capabilities(personas):
    body = signed_in(personas["head"]).get("/api/v1/me/").json()
    assert body["role"] == "head_of_office"
    assert body["level"] == "office"
    assert body["office"]["code"] == "NA1"
    assert body["region"] is None
    assert Cap.CASE_TRANSFER.value in body["capabilities"]
    assert Cap.AUDIT_VIEW.value not in body["capabilities"]

    regional = signed_in(personas["regional_admin"]).get("/api/v1/me/").json()
    assert regional["level"] == "region"
    assert regional["region"]["code"] == "NRT"
    assert regional["office"] is None

    assert signed_in(personas["partner"]).get("/api/v1/me/").json()["capabilities"] == [Cap.PARTNER_PORTAL.value]


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("officer", ["NA1"]),
        ("other_region", ["SC3"]),
        ("regional_admin", ["NA1", "NB2"]),
        ("analyst", []),
        ("auditor", []),
        ("partner", []),
    ],
)
def test_offices_are_those_of_the_callers_jurisdiction(personas, who, codes):
    answer = signed_in(personas[who]).get("/api/v1/offices/")
    assert answer.status_code == 200
    assert [o["code"] for o in answer.json()] == codes


def test_head_sees_the_caseload_per_officer_of_the_office(personas):
    office = personas["office_a"]
    person = a_person(registered_office=office)
    a_case(person=person, office=office, officer=personas["officer"])
    a_case(person=a_person(registered_office=office), office=office, officer=None)
    answer = signed_in(personas["head"]).get(f"/api/v1/offices/{office.pk}/caseload/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["unallocated"] == 1
    loads = {row["officer"]["username"]: row for row in body["officers"]}
    assert loads["officer"]["open_cases"] == 1
    assert loads["officer"]["capacity"] == office.officer_capacity
    assert loads["colleague"]["open_cases"] == 0


def test_caseload_needs_the_capability(personas):
    office = personas["office_a"]
    answer = signed_in(personas["officer"]).get(f"/api/v1/offices/{office.pk}/caseload/")
    assert answer.status_code == 403
    assert answer.json()["detail"]


def test_caseload_of_an_office_outside_the_jurisdiction_is_not_found(personas):
    answer = signed_in(personas["head"]).get(f"/api/v1/offices/{personas['office_b'].pk}/caseload/")
    assert answer.status_code == 404
    regional = signed_in(personas["regional_admin"]).get(f"/api/v1/offices/{personas['office_b'].pk}/caseload/")
    assert regional.status_code == 200

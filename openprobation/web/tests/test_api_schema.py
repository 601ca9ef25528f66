"""The API describes itself: a valid OpenAPI 3 schema and interactive documentation."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_schema_is_openapi_3_and_covers_the_endpoints(personas):
    answer = signed_in(personas["officer"]).get("/api/v1/schema/", {"format": "json"})
    assert answer.status_code == 200
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/offices/{id}/caseload/",
        "/api/v1/people/",
        "/api/v1/people/{id}/addresses/{kind}/",
        "/api/v1/people/validate-iin/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/transition/",
        "/api/v1/audit/events/",
        "/api/v1/audit/verify/",
        "/api/v1/rules/{key}/",
    ]:
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/cases/"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_generation_raises_no_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache


def test_interactive_docs_are_served(personas):
    answer = signed_in(personas["officer"]).get("/api/v1/docs/")
    assert answer.status_code == 200
    assert b"swagger" in answer.content.lower()


def test_unknown_api_addresses_answer_json_404(personas):
    answer = signed_in(personas["officer"]).get("/api/v1/people/not-a-number/cases/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_drf_messages_follow_accept_language():
    ru = APIClient(HTTP_ACCEPT_LANGUAGE="ru").get("/api/v1/me/")
    assert ru.status_code == 401
    assert ru.json()["detail"] == "Учётные данные не были предоставлены."
    en = APIClient(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/me/")
    assert en.json()["detail"] == "Authentication credentials were not provided."

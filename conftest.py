"""Test-wide fixtures (the test environment itself is set in openprobation/testing/pytest_env.py)."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    """Named users at every permission boundary: two offices in one region, one in another region."""
    from openprobation.testing.factories import make_personas

    return make_personas()

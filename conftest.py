"""Test-wide fixtures (the test environment itself is set in openprobation/testing/pytest_env.py)."""

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Each test starts in the default language and leaves it so: a page or service that activates
    the person's language (a notice, a print-out) must not change what the next test reads."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    """Named users at every permission boundary: two offices in one region, one in another region."""
    from openprobation.testing.factories import make_personas

    return make_personas()

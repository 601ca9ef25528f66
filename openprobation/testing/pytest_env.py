"""Loaded with ``-p`` before pytest-django configures Django: test-only environment values.

Settings read only the environment; tests use a throw-away key and, unless DATABASE_URL points at
PostgreSQL, an in-memory SQLite database.
"""

import os
from typing import Any

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
# The test client and the browser tests' live server speak plain HTTP, as `make run` does.
os.environ.setdefault("LOCAL_DEVELOPMENT", "true")
# Messages outside a request use the default language; tests read them in English unless a test
# asks for Kazakh or Russian (the service default for users stays Kazakh).
os.environ.setdefault("LANGUAGE_CODE", "en")
# A fixed, test-only audit chain key (HMAC of the audit chain); never used outside tests.
os.environ.setdefault("AUDIT_CHAIN_KEY", "test-only-audit-chain-key-not-for-any-deployment-0123456789")
# Analysts' uploaded files go to a throw-away folder, never the working copy's var/.
if "ANALYSIS_DIR" not in os.environ:
    import tempfile

    os.environ["ANALYSIS_DIR"] = tempfile.mkdtemp(prefix="op-analysis-")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def audit_checkpoint_signing_key() -> str:
    """A throw-away Ed25519 key that signs the audit checkpoints written during the tests."""
    from openprobation.audit.keys import new_signing_key_pem  # noqa: PLC0415 (after the environment is set)

    return new_signing_key_pem()


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path_factory, audit_checkpoint_signing_key):
    """Each test gets its own (not yet created) checkpoint folder: checkpoints of one test's rolled
    back events must not be held against another test's chain."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path_factory.getbasetemp() / f"audit-checkpoints-{os.urandom(6).hex()}"
    settings.AUDIT_CHECKPOINT_SIGNING_KEY = audit_checkpoint_signing_key
    settings.AUDIT_CHECKPOINT_PUBLIC_KEYS = ""


@pytest.fixture(scope="session", autouse=True)
def _static_files_found_once() -> None:
    """WhiteNoise looks for every static file (some thousands, through the finders) each time a
    middleware chain is built, and the test client builds one per client: a fifth of a second per
    test. A server builds it once; here the first scan's files are handed to every later chain."""
    from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]  # noqa: PLC0415 (Django is configured by now)

    original = WhiteNoiseMiddleware.add_files_from_finders
    found: dict[str, Any] = {}

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        if not found:
            before = dict(self.files)
            original(self)
            found.update({url: file for url, file in self.files.items() if before.get(url) is not file})
        self.files.update(found)

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders

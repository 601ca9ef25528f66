"""Loaded with ``-p`` before pytest-django configures Django: test-only environment values.

Settings read only the environment; tests use a throw-away key and, unless DATABASE_URL points at
PostgreSQL, an in-memory SQLite database.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
# The test client and the browser tests' live server speak plain HTTP, as `make run` does.
os.environ.setdefault("LOCAL_DEVELOPMENT", "true")
# Messages outside a request use the default language; tests read them in English unless a test
# asks for Kazakh or Russian (the service default for users stays Kazakh).
os.environ.setdefault("LANGUAGE_CODE", "en")

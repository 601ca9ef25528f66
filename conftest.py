"""Test-wide fixtures (the test environment itself is set in openprobation/testing/pytest_env.py)."""

from collections.abc import Iterator
from typing import Any

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


@pytest.fixture(scope="session")
def django_db_setup(  # noqa: PLR0917 (pytest passes fixtures by name)
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's test databases, but on PostgreSQL each worker's database is a copy of one
    migrated template (``openprobation.testing.pg_template``) instead of a migration of its own:
    the schema is migrated once for the code at hand, then every worker (and every later run of
    the same code) starts from a copy in a fraction of a second. On SQLite, with --reuse-db or
    --no-migrations, or when the copy cannot be made, the usual setup."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from openprobation.testing import pg_template

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    if (
        aliases == {"default"}
        and not serialized_aliases
        and connections["default"].vendor == "postgresql"
        and django_db_use_migrations
        and not django_db_keepdb
    ):
        with django_db_blocker.unblock():
            old_name = pg_template.create_test_db_from_template(connections["default"], verbosity=verbosity)
        if old_name is not None:
            yield
            with django_db_blocker.unblock():
                connections["default"].creation.destroy_test_db(old_name, verbosity=verbosity)
            return
    # pytest-django's own set-up.
    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)

"""Data built once for a whole test module: made in a transaction that stays open for the module
and is rolled back after it; each test (with the ``db`` fixture) runs in a savepoint inside it, so
what one test changes is undone before the next, and nothing outlives the module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import transaction
from django.test import override_settings

# The hasher every test uses (the root conftest sets it per test; data built for a module is built
# before any test's settings apply).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

T = TypeVar("T")


def built_for_module(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Yield ``build()``'s result from a module-scoped fixture (``yield from built_for_module(...)``)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            made = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

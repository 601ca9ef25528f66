"""Celery through a real Redis broker and result backend, and Django's Redis cache backend."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.services


def _keep_test_connection_class() -> type:
    from celery.fixups.django import DjangoWorkerFixup

    class KeepTestConnection(DjangoWorkerFixup):
        def on_worker_process_init(self, **kwargs: Any) -> None:
            pass

        def close_database(self, **kwargs: Any) -> None:
            pass

    return KeepTestConnection


@pytest.fixture
def celery_on_redis(redis_url: str) -> Iterator[Any]:
    """The project's Celery app pointed at Redis for the test (a private queue), then restored."""
    import openprobation.cases.tasks  # noqa: F401  (registers the tasks with the app)
    from openprobation.celery_app import app

    keys = [
        "broker_url",
        "result_backend",
        "task_always_eager",
        "task_default_queue",
        "broker_connection_retry",
    ]
    saved = {key: app.conf.get(key) for key in keys}
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_always_eager=False,
        task_default_queue=f"openprobation-test-{uuid.uuid4().hex}",
        broker_connection_retry=False,
    )
    # An earlier eager run may have cached the disabled result backend; forget it (and restore it).
    saved_backend = (app._backend_cache, getattr(app._local, "backend", None))
    app._backend_cache = None
    app._local.backend = None
    # Celery's Django fix-up closes database connections when the worker starts and around each
    # task; here the worker shares the test's connection (inside its transaction), which must stay open.
    from celery.fixups.django import DjangoFixup

    keep_connection = _keep_test_connection_class()
    fixups: list[Any] = [f for f in app._fixups if isinstance(f, DjangoFixup)]
    previous = [f.worker_fixup for f in fixups]
    for fixup in fixups:
        fixup.worker_fixup = keep_connection(app)
    try:
        yield app
    finally:
        for fixup, worker_fixup in zip(fixups, previous, strict=True):
            fixup.worker_fixup = worker_fixup
        app.conf.update(saved)
        app._backend_cache, app._local.backend = saved_backend
        app.close()  # drop the pooled broker connections


@pytest.fixture
def worker_uses_the_test_database() -> Iterator[None]:
    """Let the worker thread use the test's own database connection (as Django's live server does),
    so the task sees the test's rows without committing them: a committing test would have to
    flush the tables afterwards, and the audit trail refuses TRUNCATE on PostgreSQL."""
    from celery import signals
    from django.db import connections

    shared = connections["default"]
    shared.inc_thread_sharing()

    def use_shared_connection(**kwargs: Any) -> None:
        connections["default"] = shared

    signals.task_prerun.connect(use_shared_connection, weak=False)
    try:
        yield
    finally:
        signals.task_prerun.disconnect(use_shared_connection)
        shared.dec_thread_sharing()


@pytest.mark.django_db
def test_registration_deadline_check_runs_on_a_celery_worker_through_redis(
    celery_on_redis: Any, worker_uses_the_test_database: None
) -> None:
    from celery.contrib.testing.worker import start_worker

    from openprobation.cases.models import CaseStatus
    from openprobation.testing.factories import CaseFactory

    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2020, 1, 1))
    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2020, 2, 1))
    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2999, 1, 1))
    CaseFactory(status=CaseStatus.ACTIVE, registration_due=dt.date(2020, 1, 1))
    name = "openprobation.cases.tasks.check_registration_deadlines"
    assert name in celery_on_redis.tasks
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = celery_on_redis.send_task(name)
        assert result.get(timeout=30) == 2
        assert result.successful()
        assert type(result.backend).__name__ == "RedisBackend"


def test_django_redis_cache_backend_stores_counts_and_expires(redis_url: str) -> None:
    import time

    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache(redis_url, {"KEY_PREFIX": f"openprobation-test-{uuid.uuid4().hex}", "TIMEOUT": 60})
    try:
        cache.set("caseload", {"office": "NA1", "open": 17})
        assert cache.get("caseload") == {"office": "NA1", "open": 17}
        assert cache.add("caseload", "other") is False
        cache.set("hits", 1)
        assert cache.incr("hits", 2) == 3
        cache.set_many({"a": "Әлия", "b": [1, 2]})
        assert cache.get_many(["a", "b", "missing"]) == {"a": "Әлия", "b": [1, 2]}
        cache.set("short", "x", timeout=1)
        assert cache.get("short") == "x"
        time.sleep(1.5)
        assert cache.get("short") is None
        assert cache.delete("caseload") is True
        assert cache.get("caseload", "gone") == "gone"
    finally:
        cache.delete_many(["caseload", "hits", "a", "b", "short"])
        cache.close()


def test_redis_cache_configured_in_caches_round_trips(redis_url: str) -> None:
    from django.core.cache import caches
    from django.test import override_settings

    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    with override_settings(CACHES={"default": redis_cache, "probe": redis_cache}):
        probe = caches["probe"]
        key = f"openprobation-test-{uuid.uuid4().hex}"
        probe.set(key, "ok", timeout=30)
        try:
            assert probe.get(key) == "ok"
        finally:
            probe.delete(key)

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


@pytest.mark.django_db
def test_the_scheduled_jobs_run_on_a_celery_worker_through_redis_and_a_second_run_changes_nothing(
    celery_on_redis: Any, worker_uses_the_test_database: None, personas: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    """The registration-deadline scan, appointment generation, reminders, the outbox sender and the
    employment and search scans, as beat sends them to a worker in production (one worker for all:
    Celery's test worker does not start twice cleanly in one process): each is idempotent — the
    second run adds, queues and sends nothing."""
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    import openprobation.assessments.tasks
    import openprobation.enforcement.tasks
    import openprobation.labour.tasks
    import openprobation.notifications.tasks
    import openprobation.supervision.tasks  # noqa: F401  (register the tasks)
    from openprobation.assessments.models import CaseAssessmentState, ReassessmentTrigger
    from openprobation.cases.models import CaseStatus, CaseTask
    from openprobation.core.timeutil import local_today
    from openprobation.enforcement.models import Violation
    from openprobation.notifications.models import Message, MessageStatus
    from openprobation.supervision.models import Appointment
    from openprobation.supervision.rules import Frequency
    from openprobation.supervision.services import ScheduleInput, schedule_set
    from openprobation.testing.factories import CaseFactory, a_case, a_person

    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2020, 1, 1))
    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2020, 2, 1))
    CaseFactory(status=CaseStatus.AWAITING_REGISTRATION, registration_due=dt.date(2999, 1, 1))
    CaseFactory(status=CaseStatus.ACTIVE, registration_due=dt.date(2020, 1, 1))
    settings.NOTIFY_SMS_TRANSPORT = "file"
    settings.NOTIFY_FILE_PATH = tmp_path / "outbox.jsonl"
    today = local_today()
    person = a_person(registered_office=personas["office_a"], phone="+7 701 555 00 11", native_language="kk")
    case = a_case(
        person=person,
        officer=personas["officer"],
        control_start=today - dt.timedelta(days=30),
        control_end=today + dt.timedelta(days=300),
        received_on=today - dt.timedelta(days=40),
    )
    schedule_set(
        actor=personas["officer"],
        case=case,
        data=ScheduleInput(frequency=Frequency("weekly", (0, 2, 4)), time_of_day=dt.time(10, 0), valid_from=today),
    )
    Appointment.objects.create(case=case, starts_at=timezone.now() + dt.timedelta(hours=3), officer=case.officer)
    names = {
        "generate": "openprobation.supervision.tasks.generate_appointments",
        "remind": "openprobation.supervision.tasks.send_appointment_reminders",
        "send": "openprobation.notifications.tasks.send_due_messages",
        "employment": "openprobation.labour.tasks.check_employment_deadlines",
        "search": "openprobation.enforcement.tasks.create_search_tasks",
        "reassess": "openprobation.assessments.tasks.scan_reassessments",
        "analysis": "openprobation.assessments.tasks.run_analysis_jobs",
    }
    assert set(names.values()) <= set(celery_on_redis.tasks)

    def state() -> tuple[int, ...]:
        return (
            CaseAssessmentState.objects.count(),
            ReassessmentTrigger.objects.count(),
            Appointment.objects.count(),
            Message.objects.count(),
            Message.objects.filter(status=MessageStatus.SENT).count(),
            Violation.objects.count(),
            CaseTask.objects.count(),
        )

    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        overdue = celery_on_redis.send_task("openprobation.cases.tasks.check_registration_deadlines")
        assert overdue.get(timeout=30) == 2
        assert overdue.successful()
        assert type(overdue.backend).__name__ == "RedisBackend"
        for key in ("generate", "remind", "send", "employment", "search", "reassess", "analysis"):
            celery_on_redis.send_task(names[key]).get(timeout=30)
        first = state()
        lines = settings.NOTIFY_FILE_PATH.read_text(encoding="utf-8").splitlines()
        for key in ("generate", "remind", "send", "employment", "search", "reassess", "analysis"):
            celery_on_redis.send_task(names[key]).get(timeout=30)
        assert state() == first
    states, _triggers, appointments, messages, sent, _violations, _tasks = first
    assert states >= 1  # every open case got its assessment state, once
    assert appointments > 1
    # The appointment in three hours (and any scheduled one within the reminder lead) reminded and
    # sent exactly once each, in the person's language.
    assert messages == sent >= 1
    assert len(lines) == sent
    assert settings.NOTIFY_FILE_PATH.read_text(encoding="utf-8").splitlines() == lines
    assert set(Message.objects.values_list("case_id", "language", "to")) == {(case.pk, "kk", "+7 701 555 00 11")}

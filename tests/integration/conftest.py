"""Integration tests against real services. Outside CI a missing service skips the test with the
reason; with CI=true it fails, so a broken CI environment cannot pass silently."""

from __future__ import annotations

import os
import socket

import pytest


def require_or_skip(available: bool, reason: str) -> None:
    """Skip (locally) or fail (CI=true) when a service the test needs is not reachable."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the integration tests use (REDIS_URL, default the local one), checked with a PING."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... when the suite runs in parallel
    if worker.removeprefix("gw").isdigit():
        # Each worker its own Redis database, so one worker's Celery never takes another's tasks.
        base, _slash, db = url.rpartition("/")
        url = f"{base}/{int(db or 0) + 1 + int(worker.removeprefix('gw'))}" if db.isdigit() else url
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        available = bool(client.ping())
        client.close()
        reason = ""
    except (redis.RedisError, OSError) as exc:
        available, reason = False, f"Redis at {url} is not reachable ({exc})"
    require_or_skip(available, reason)
    return url


def port_open(host: str, port: int) -> bool:
    """Whether something listens on ``host:port`` (a service the test needs)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A loopback port nothing listens on now (for a private broker or cluster)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

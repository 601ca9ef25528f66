"""The HTTP receiver on the real JetStream log: a device's batch is in NATS, in its partition, when
the 202 comes; a batch with bad elements lands without them; each run on a private stream."""

from __future__ import annotations

import base64
import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from django.test import Client, override_settings

from tests.integration.conftest import require_or_skip

pytestmark = pytest.mark.services

NATS_URL = os.environ.get("EM_TEST_NATS_URL", "nats://127.0.0.1:4222")
PARTITIONS = 4


def _nats_reachable() -> tuple[bool, str]:
    parts = urlsplit(NATS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 4222), timeout=2):
            return True, ""
    except OSError as exc:
        return False, f"{NATS_URL} is not reachable ({exc})"


@pytest.fixture
def jetstream() -> Iterator[Any]:
    ok, reason = _nats_reachable()
    require_or_skip(ok, reason)
    from openprobation.monitoring.pipeline import auth
    from openprobation.monitoring.pipeline.logs import close_log, get_log

    stream = f"OP_EM_HTTP_{uuid.uuid4().hex[:10].upper()}"
    close_log()
    auth.clear_cache()
    with override_settings(EM_NATS_URL=NATS_URL, EM_NATS_STREAM=stream, EM_PARTITIONS=PARTITIONS):
        log = get_log()
        try:
            yield log
        finally:
            log.delete_stream()
            close_log()
            auth.clear_cache()


def _basic(serial: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{serial}:{secret}".encode()).decode()


@pytest.mark.django_db
def test_a_batch_is_in_the_devices_partition_when_the_answer_comes(jetstream):
    from openprobation.monitoring.catalogue import Channel
    from openprobation.monitoring.models import RejectedMessage
    from openprobation.monitoring.pipeline.log import partition_of
    from openprobation.monitoring.pipeline.messages import decode
    from openprobation.monitoring.tests.test_auth import make_device

    device, secret = make_device(f"EM-HTTP-{uuid.uuid4().hex[:6]}")
    now = int(time.time())
    batch = [{"_type": "location", "lat": 43.2, "lon": 76.9, "tst": now - 60 + i, "seq": i} for i in range(100)]
    batch[7]["lat"] = "north"
    response = Client().post(
        "/api/v1/em/positions",
        orjson.dumps(batch),
        content_type="application/json",
        HTTP_AUTHORIZATION=_basic(device.serial, secret),
    )
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == 99 and response.json()["refused"] == 1
    part = partition_of(device.pk, PARTITIONS)
    consumer = jetstream.consumer(part)
    entries = consumer.fetch(10, 0.5)  # already stored: no waiting for it
    assert len(entries) == 1
    fixes, events = decode([entries[0].payload])
    assert len(fixes) == 99 and events == []
    body = orjson.loads(entries[0].payload)
    assert body["c"] == Channel.HTTP and {f[0] for f in body["f"]} == {device.pk}
    assert sorted(f[2] for f in body["f"]) == [i for i in range(100) if i != 7]
    consumer.ack(entries)
    consumer.close()
    assert RejectedMessage.objects.filter(device=device).count() == 1

"""Electronic-monitoring ingestion against the real services: the JetStream log (NATS) and the MQTT
receiver (Mosquitto), each on a private stream or topic so parallel runs do not meet."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

import orjson
import pytest

from openprobation.monitoring.pipeline.log import OneByOne
from tests.integration.conftest import require_or_skip

pytestmark = pytest.mark.services

NATS_URL = os.environ.get("EM_TEST_NATS_URL", "nats://127.0.0.1:4222")
MQTT_URL = os.environ.get("EM_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def _reachable(url: str, default_port: int) -> tuple[bool, str]:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True, ""
    except OSError as exc:
        return False, f"{url} is not reachable ({exc})"


@pytest.fixture
def nats_log() -> Iterator[object]:
    ok, reason = _reachable(NATS_URL, 4222)
    require_or_skip(ok, reason)
    from openprobation.monitoring.pipeline.natslog import NatsLog

    log = NatsLog(NATS_URL, stream=f"OP_EM_TEST_{uuid.uuid4().hex[:10].upper()}", partitions=4, retention_days=1)
    try:
        yield log
    finally:
        log.delete_stream()
        log.close()


def test_nats_log_round_trip_in_order_per_partition(nats_log):
    nats_log.append(1, [b"a", b"b"])
    nats_log.append(2, [b"x"])
    nats_log.append(1, [b"c"])
    consumer = nats_log.consumer(1)
    entries = consumer.fetch(10, 2.0)
    assert [e.payload for e in entries] == [b"a", b"b", b"c"]
    assert [e.seq for e in entries] == sorted({e.seq for e in entries})
    consumer.ack(entries)
    assert consumer.fetch(10, 0.2) == []
    other = nats_log.consumer(2)
    assert [e.payload for e in other.fetch(10, 2.0)] == [b"x"]


def test_nats_log_fetches_many_partitions_at_once_and_acknowledges_them_together(nats_log):
    nats_log.append(0, [b"p0-a", b"p0-b"])
    nats_log.append(2, [b"p2"])
    consumers = [nats_log.consumer(p) for p in range(4)]
    fetched = nats_log.fetch_many(consumers, 10, 1.0)
    assert [[e.payload for e in group] for group in fetched] == [[b"p0-a", b"p0-b"], [], [b"p2"], []]
    assert all(e.partition == p for p, group in enumerate(fetched) for e in group)
    nats_log.ack_many(consumers, fetched)
    assert nats_log.fetch_many(consumers, 10, 0.1) == [[], [], [], []]
    for consumer in consumers:
        consumer.close()
    # Acknowledged for good: the same durable consumers, as after a restart, find nothing.
    again = [nats_log.consumer(p) for p in (0, 2)]
    assert nats_log.fetch_many(again, 10, 0.2) == [[], []]


def test_nats_log_appends_many_partitions_in_one_round_trip(nats_log):
    nats_log.append_many([(3, b"c1"), (1, b"a1"), (3, b"c2")])
    consumers = [nats_log.consumer(p) for p in (1, 3)]
    fetched = nats_log.fetch_many(consumers, 10, 1.0)
    assert [[e.payload for e in group] for group in fetched] == [[b"a1"], [b"c1", b"c2"]]
    with pytest.raises(ValueError, match="partition 9"):
        nats_log.append_many([(0, b"kept?"), (9, b"bad")])
    assert nats_log.consumer(0).fetch(10, 0.2) == []


def test_nats_log_acknowledged_entries_are_not_delivered_again_to_a_new_consumer(nats_log):
    nats_log.append(0, [b"1", b"2", b"3"])
    first = nats_log.consumer(0)
    entries = first.fetch(2, 2.0)
    first.ack(entries)
    first.close()
    again = nats_log.consumer(0)  # the same durable consumer, as after a restart
    assert [e.payload for e in again.fetch(10, 2.0)] == [b"3"]


def test_nats_log_redelivers_what_was_never_acknowledged(nats_log, monkeypatch):
    from openprobation.monitoring.pipeline import natslog

    monkeypatch.setattr(natslog, "ACK_WAIT_S", 1.0)
    nats_log.append(3, [b"lost"])
    consumer = nats_log.consumer(3)
    (entry,) = consumer.fetch(1, 2.0)  # the evaluator dies before acknowledging
    redelivered = consumer.fetch(1, 10.0)
    assert [e.payload for e in redelivered] == [b"lost"] and redelivered[0].seq == entry.seq
    consumer.ack(redelivered)
    assert consumer.fetch(1, 1.5) == []


class RecordingLog(OneByOne):
    """A log that keeps appends in memory (the MQTT test is about the receiver, not the log)."""

    partitions = 16

    def __init__(self) -> None:
        self.appended: list[tuple[int, bytes]] = []
        self.changed = threading.Event()

    def append(self, partition: int, payloads: Sequence[bytes]) -> None:
        self.appended.extend((partition, p) for p in payloads)
        self.changed.set()

    def fixes(self) -> list[list[object]]:
        return [f for _p, payload in self.appended for f in orjson.loads(payload)["f"]]

    def events(self) -> list[list[object]]:
        return [e for _p, payload in self.appended for e in orjson.loads(payload).get("e", [])]


def _wait_for(predicate, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_mqtt_to_receiver_to_log_with_a_last_will():
    ok, reason = _reachable(MQTT_URL, 1883)
    require_or_skip(ok, reason)
    import paho.mqtt.client as mqtt
    from django.utils import timezone

    from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus
    from openprobation.monitoring.credentials import new_credential
    from openprobation.monitoring.models import Assignment, Device, RejectedMessage
    from openprobation.monitoring.pipeline import auth
    from openprobation.monitoring.pipeline.mqtt import MqttReceiver, broker_address
    from openprobation.testing.factories import UserFactory, a_case, an_em_resolution

    serial = f"EM-MQTT-{uuid.uuid4().hex[:8]}"
    case = a_case()
    _secret, digest = new_credential()
    device = Device.objects.create(
        kind=DeviceKind.BRACELET,
        serial=serial,
        office=case.office,
        status=DeviceStatus.ASSIGNED,
        credential_hash=digest,
    )
    Assignment.objects.create(
        device=device,
        case=case,
        installed_at=timezone.now() - dt.timedelta(days=1),
        time_zone="Asia/Almaty",
        created_by=UserFactory(office=case.office),
        resolution=an_em_resolution(case),
    )
    auth.clear_cache()
    log = RecordingLog()
    receiver = MqttReceiver(MQTT_URL, log=log, persistent=False)
    receiver.start()
    host, port, user, password = broker_address(MQTT_URL)
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"dev-{serial}")
    if user:
        publisher.username_pw_set(user, password)
    topic = f"owntracks/test/{serial}"
    publisher.will_set(topic, orjson.dumps({"_type": "lwt", "tst": int(time.time())}), qos=1)
    try:
        assert receiver.connected.wait(10), "the receiver did not connect"
        time.sleep(0.3)  # the subscription is made in the connect callback
        publisher.connect(host, port, keepalive=5)
        publisher.loop_start()
        now = int(time.time())
        infos = [
            publisher.publish(
                topic, orjson.dumps({"_type": "location", "lat": 43.2, "lon": 76.9, "tst": now, "seq": i}), qos=1
            )
            for i in range(50)
        ]
        publisher.publish(topic, b"{broken", qos=1)
        publisher.publish(f"owntracks/test/EM-UNKNOWN-{serial}", orjson.dumps({"lat": 1, "lon": 1, "tst": now}), qos=1)
        for info in infos:
            info.wait_for_publish(10)
        assert _wait_for(lambda: len(log.fixes()) >= 50), receiver.stats
        assert sorted(f[2] for f in log.fixes()) == list(range(50))
        assert {f[0] for f in log.fixes()} == {device.pk}
        assert _wait_for(lambda: RejectedMessage.objects.filter(device=device).count() == 1)
        # The device drops off the network without saying goodbye: the broker publishes its will.
        publisher.loop_stop()
        publisher.socket().close()
        assert _wait_for(log.events, 20.0), receiver.stats
        assert [e[:2] for e in log.events()] == [[device.pk, "disconnected"]]
        assert receiver.stats.unknown_device >= 1
    finally:
        receiver.stop()
        auth.clear_cache()

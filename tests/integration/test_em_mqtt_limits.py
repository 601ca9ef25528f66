"""The MQTT receiver against a Mosquitto with its default limits (``max_inflight_messages`` 20,
``max_queued_messages`` 1000): a private broker on a free loopback port, a receiver appending to a
real JetStream log (a private stream, deleted after), bursts of QoS 1 messages published as fast as
a socket takes them. What reached the log is read back from the stream.

An MQTT 3 receiver that acknowledges after the append has 20 messages in flight; the broker queues
1000 more and drops the rest of a burst. The MQTT 5 receiver asks for a Receive Maximum of 65,535
and drains its socket, so nothing is dropped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.integration.conftest import free_port, port_open, require_or_skip

pytestmark = pytest.mark.services

NATS_URL = os.environ.get("EM_TEST_NATS_URL", "nats://127.0.0.1:4222")
DEVICES = 5


class Broker:
    """A private Mosquitto with the default limits; ``sys_interval 1`` so its counters come quickly."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="em-mqtt-limits-"))
        self.port = free_port()
        conf = self.dir / "mosquitto.conf"
        conf.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\nsys_interval 1\nlog_dest none\n")
        self.dir.chmod(0o755)
        conf.chmod(0o644)
        self.proc = subprocess.Popen(  # noqa: S603
            [str(shutil.which("mosquitto")), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("the private Mosquitto did not start")
            time.sleep(0.05)
        self.url = f"mqtt://127.0.0.1:{self.port}"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def broker() -> Iterator[Broker]:
    require_or_skip(shutil.which("mosquitto") is not None, "the mosquitto broker is not installed")
    b = Broker()
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def nats_log() -> Iterator[Any]:
    host_port = NATS_URL.split("//", 1)[-1].rsplit(":", 1)
    require_or_skip(port_open(host_port[0], int(host_port[1])), f"NATS JetStream at {NATS_URL} is not reachable")
    from openprobation.monitoring.pipeline.natslog import NatsLog

    log = NatsLog(NATS_URL, stream=f"OP_EM_TEST_{uuid.uuid4().hex[:10].upper()}", partitions=4, retention_days=1)
    try:
        yield log
    finally:
        log.delete_stream()
        log.close()


@pytest.fixture
def devices(db: Any, settings: Any) -> Iterator[list[tuple[str, int]]]:
    """(serial, device id) of devices that may report; the receiver's partitions match the log's."""
    from openprobation.monitoring.pipeline import auth
    from openprobation.monitoring.tests.pipeline_fixtures import monitored_device

    settings.EM_PARTITIONS = 4
    auth.clear_cache()
    tag = uuid.uuid4().hex[:6]
    found = []
    for i in range(DEVICES):
        assignment = monitored_device(f"EM-LIM-{tag}-{i}", with_zone=False)
        found.append((assignment.device.serial, assignment.device_id))
    yield found
    auth.clear_cache()


# --- a publisher as fast as a socket: pre-encoded MQTT 3.1.1 packets ------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _connect(port: int, client_id: str, *, clean: bool = True) -> socket.socket:
    cid = client_id.encode()
    body = b"\x00\x04MQTT\x04" + (b"\x02" if clean else b"\x00") + b"\x00\x00" + len(cid).to_bytes(2, "big") + cid
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    answer = sock.recv(4)
    assert answer[:1] == b"\x20" and answer[3:4] == b"\x00", answer
    return sock


def _burst(port: int, devices: list[tuple[str, int]], per_device: int, *, first_seq: int = 1) -> int:
    """Publish ``per_device`` fixes of every device (QoS 1, devices interleaved) in one write and
    wait for the broker's PUBACKs; returns how many it acknowledged."""
    now = time.time()
    packets = []
    for r in range(per_device):
        for serial, _id in devices:
            body = orjson.dumps(
                {"_type": "location", "lat": 43.2389, "lon": 76.8897, "tst": now, "acc": 8, "seq": first_seq + r}
            )
            topic = f"owntracks/limits/{serial}".encode()
            mid = len(packets) % 65535 + 1
            variable = len(topic).to_bytes(2, "big") + topic + mid.to_bytes(2, "big") + body
            packets.append(b"\x32" + _varint(len(variable)) + variable)
    sock = _connect(port, f"em-lim-pub-{uuid.uuid4().hex[:6]}")
    try:
        sock.sendall(b"".join(packets))
        acked, leftover = 0, 0
        sock.settimeout(20)
        while acked < len(packets):
            data = sock.recv(65536)
            if not data:
                break
            leftover += len(data)
            acked += leftover // 4
            leftover %= 4
        sock.sendall(b"\xe0\x00")
    finally:
        sock.close()
    return acked


def _stored(log: Any) -> list[tuple[int, int]]:
    """(device, seq) of every fix in the log, read back from the stream."""
    found = []
    for partition in range(log.partitions):
        consumer = log.consumer(partition)
        try:
            while entries := consumer.fetch(1000, 0.5):
                for entry in entries:
                    found.extend((row[0], row[2]) for row in orjson.loads(entry.payload)["f"])
                consumer.ack(entries)
        finally:
            consumer.close()
    return found


def _wait_for(predicate: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def _receiver(broker: Broker, log: Any, **options: Any) -> Any:
    from openprobation.monitoring.pipeline.mqtt import MqttReceiver

    options.setdefault("client_id", f"em-lim-rx-{uuid.uuid4().hex[:6]}")
    receiver = MqttReceiver(broker.url, log=log, **options)
    receiver.start()
    assert receiver.subscribed.wait(10), "the receiver did not subscribe"
    return receiver


def _expected(devices: list[tuple[str, int]], per_device: int, first_seq: int = 1) -> set[tuple[int, int]]:
    return {(device_id, first_seq + r) for _s, device_id in devices for r in range(per_device)}


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_burst_against_the_default_limits_loses_nothing(broker, nats_log, devices):
    per_device = 1000  # 5,000 messages
    receiver = _receiver(broker, nats_log)
    try:
        assert _burst(broker.port, devices, per_device) == DEVICES * per_device
        _wait_for(lambda: receiver.stats.fixes >= DEVICES * per_device, 20)
    finally:
        receiver.stop()
    stored = _stored(nats_log)
    assert set(stored) == _expected(devices, per_device), (receiver.stats, len(set(stored)))
    assert receiver.stats.unknown_device == 0


@pytest.mark.django_db(transaction=True)
def test_shared_subscription_receivers_split_a_burst_and_lose_nothing(broker, nats_log, devices):
    per_device = 600
    first = _receiver(broker, nats_log, shared=True)
    second = _receiver(broker, nats_log, shared=True)
    try:
        assert first.topic == "$share/op-em/owntracks/+/+"
        assert _burst(broker.port, devices, per_device) == DEVICES * per_device
        _wait_for(lambda: first.stats.fixes + second.stats.fixes >= DEVICES * per_device, 20)
    finally:
        first.stop()
        second.stop()
    assert first.stats.fixes > 0 and second.stats.fixes > 0  # the broker spread the messages
    assert set(_stored(nats_log)) == _expected(devices, per_device)


@pytest.mark.django_db(transaction=True)
def test_a_shared_receiver_that_leaves_gets_no_more_share(broker, nats_log, devices):
    staying = _receiver(broker, nats_log, shared=True)
    leaving = _receiver(broker, nats_log, shared=True)
    try:
        leaving.stop(leave=True)  # without leaving, its persistent session would keep half of what follows
        per_device = 300
        assert _burst(broker.port, devices, per_device) == DEVICES * per_device
        _wait_for(lambda: staying.stats.fixes >= DEVICES * per_device, 20)
    finally:
        staying.stop()
    assert staying.stats.fixes == DEVICES * per_device
    assert set(_stored(nats_log)) == _expected(devices, per_device)


@pytest.mark.django_db(transaction=True)
def test_the_session_keeps_what_arrives_while_the_receiver_restarts(broker, nats_log, devices):
    client_id = f"em-lim-persistent-{uuid.uuid4().hex[:6]}"
    _receiver(broker, nats_log, client_id=client_id).stop()  # the broker keeps its session
    per_device = 150  # 750 messages: within max_queued_messages (1000) while nobody is connected
    assert _burst(broker.port, devices, per_device) == DEVICES * per_device
    receiver = _receiver(broker, nats_log, client_id=client_id)
    try:
        _wait_for(lambda: receiver.stats.fixes >= DEVICES * per_device, 20)
    finally:
        receiver.stop()
    assert set(_stored(nats_log)) == _expected(devices, per_device)


@pytest.mark.django_db(transaction=True)
def test_the_receiver_reports_what_the_broker_drops(broker, nats_log, devices):
    # A subscriber that never reads (MQTT 3: 20 in flight, 1000 queued): the broker drops the rest
    # of a burst for it. The receiver itself loses nothing, and says the broker dropped messages.
    stalled = _connect(broker.port, f"em-lim-stalled-{uuid.uuid4().hex[:6]}", clean=True)
    topic = b"owntracks/+/+"
    stalled.sendall(b"\x82" + _varint(5 + len(topic)) + b"\x00\x01" + len(topic).to_bytes(2, "big") + topic + b"\x01")
    receiver = _receiver(broker, nats_log)
    try:
        time.sleep(0.3)  # the stalled subscription is in place
        per_device = 600
        assert _burst(broker.port, devices, per_device) == DEVICES * per_device
        assert _wait_for(lambda: receiver.stats.broker_dropped > 0, 10), receiver.stats
        _wait_for(lambda: receiver.stats.fixes >= DEVICES * per_device, 20)
    finally:
        receiver.stop()
        with contextlib.suppress(OSError):
            stalled.close()
    assert receiver.stats.broker_dropped >= DEVICES * per_device - 1020
    assert set(_stored(nats_log)) == _expected(devices, per_device)

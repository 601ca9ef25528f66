"""The MQTT receiver: OwnTracks messages from the broker into the durable log.

Devices publish OwnTracks JSON to ``owntracks/<subject>/<device serial>`` (QoS 1). In production the
broker authenticates each device (Mosquitto's password file or auth plugin, with an ACL that lets a
device's username publish only on its own topic, ``pattern write owntracks/+/%u``); this receiver
checks that the serial in the topic names a device that may report now (``auth.reporting_device``)
and drops (and counts) the rest.

- Subscribes ``owntracks/+/+`` with QoS 1 on a persistent session (a fixed client id, clean
  session off: the broker keeps what arrives while the receiver restarts); with ``shared`` it
  subscribes ``$share/op-em/owntracks/+/+`` so several receivers share the load.
- Messages are acknowledged manually (``manual_ack``): they are gathered for up to ``batch_s``
  (20 ms) or ``batch_max`` (500) messages, parsed, appended to the log as one entry per partition,
  and only then acknowledged to the broker — nothing acknowledged can be lost. If the append fails
  the batch is kept and tried again.
- An OwnTracks last will (``{"_type": "lwt", ...}``, which the app registers on the same topic)
  becomes a ``DeviceEvent(device, "disconnected", at)``. Empty payloads (a retained message being
  cleared) are acknowledged and ignored; status sub-topics are not subscribed.
- Malformed input of a known device is stored as ``RejectedMessage`` (rate-limited) and never stops
  the loop.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connection

from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.pipeline import auth
from openprobation.monitoring.pipeline.log import Log, partition_of
from openprobation.monitoring.pipeline.logs import get_log
from openprobation.monitoring.pipeline.messages import EVENT_DISCONNECTED, DeviceEvent, Fix, encode
from openprobation.monitoring.pipeline.receive import parse_owntracks, with_device

logger = logging.getLogger(__name__)
TOPIC = "owntracks/+/+"
SHARE_GROUP = "op-em"


@dataclass
class Stats:
    received: int = 0
    fixes: int = 0
    refused: int = 0
    unknown_device: int = 0
    entries: int = 0
    append_failures: int = 0
    last_wills: int = 0


@dataclass
class _Message:
    mid: int
    qos: int
    topic: str
    payload: bytes
    received: float


@dataclass
class _Pending:
    messages: list[_Message] = field(default_factory=list)


def serial_of(topic: str) -> str | None:
    """The device serial of ``owntracks/<subject>/<serial>``; None for any other topic."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != "owntracks" or not parts[2]:
        return None
    return parts[2]


def broker_address(url: str) -> tuple[str, int, str | None, str | None]:
    parts = urlsplit(url or "mqtt://127.0.0.1:1883")
    return parts.hostname or "127.0.0.1", parts.port or 1883, parts.username, parts.password


class MqttReceiver:
    def __init__(
        self,
        url: str,
        *,
        shared: bool = False,
        client_id: str | None = None,
        log: Log | None = None,
        batch_s: float = 0.02,
        batch_max: int = 500,
        persistent: bool = True,
    ):
        self.url = url
        self.shared = shared
        self.batch_s = batch_s
        self.batch_max = batch_max
        self.log = log
        self.stats = Stats()
        self._pending: list[_Message] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self.connected = threading.Event()
        host, port, username, password = broker_address(url)
        self._host, self._port = host, port
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id or f"op-em-receiver-{uuid.uuid4().hex[:8]}",
            clean_session=not persistent,
            manual_ack=True,
        )
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)

    @property
    def topic(self) -> str:
        return f"$share/{SHARE_GROUP}/{TOPIC}" if self.shared else TOPIC

    # --- paho callbacks (its network thread) ------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            logger.warning("MQTT connection refused: %s", reason)
            return
        client.subscribe(self.topic, qos=1)
        self.connected.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connected.clear()
        if not self._stop.is_set():
            logger.warning("MQTT disconnected (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._cond:
            self._pending.append(_Message(message.mid, message.qos, message.topic, bytes(message.payload), time.time()))
            if len(self._pending) >= self.batch_max:
                self._cond.notify()

    # --- the flusher thread -------------------------------------------------------------------------

    def _take(self) -> list[_Message]:
        with self._cond:
            if len(self._pending) < self.batch_max:
                self._cond.wait(self.batch_s)
            batch, self._pending = self._pending, []
        return batch

    def process(self, batch: list[_Message]) -> bool:
        """Parse a batch, append it to the log per partition, then acknowledge it. False if the
        append failed (nothing acknowledged; the caller tries again)."""
        log = self.log or get_log()
        serials = {s for s in (serial_of(m.topic) for m in batch) if s}
        known = auth.lookup_many(serials) if serials else {}
        fixes: dict[int, list[Fix]] = defaultdict(list)
        events: dict[int, list[DeviceEvent]] = defaultdict(list)
        refused = 0
        for message in batch:
            if not message.payload:
                continue
            serial = serial_of(message.topic)
            device = known.get(serial) if serial else None
            if device is None or not device.may_report:
                self.stats.unknown_device += 1
                continue
            result = parse_owntracks(message.payload, now=message.received)
            part = partition_of(device.device_id, settings.EM_PARTITIONS)
            if result.fixes:
                fixes[part].extend(with_device(result.fixes, device.device_id))
            if result.last_will:
                events[part].append(DeviceEvent(device.device_id, EVENT_DISCONNECTED, message.received))
            if result.refusals:
                refused += len(result.refusals)
                auth.record_rejections(
                    device.device_id, Channel.MQTT, ((r.code, r.message) for r in result.refusals), message.payload
                )
        received = max((m.received for m in batch), default=time.time())
        try:
            for part in sorted(set(fixes) | set(events)):
                payload = encode(received=received, channel=Channel.MQTT, fixes=fixes[part], events=events[part])
                log.append(part, [payload])
                self.stats.entries += 1
        except Exception:
            self.stats.append_failures += 1
            logger.exception("the log refused an append; the batch is kept")
            return False
        self.stats.received += len(batch)
        self.stats.fixes += sum(len(f) for f in fixes.values())
        self.stats.refused += refused
        self.stats.last_wills += sum(len(e) for e in events.values())
        for message in batch:
            if message.qos > 0:
                self.client.ack(message.mid, message.qos)
        return True

    def _flush_loop(self) -> None:
        retry: list[_Message] = []
        try:
            while not self._stop.is_set() or retry:
                batch = retry + self._take()
                retry = []
                if not batch:
                    continue
                try:
                    ok = self.process(batch)
                except Exception:
                    logger.exception("an MQTT batch failed")
                    close_old_connections()
                    ok = False
                if not ok:
                    retry = batch
                    if self._stop.wait(0.5):
                        return  # stopping: unacknowledged messages are redelivered by the broker
        finally:
            connection.close()  # this thread's own database connection

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._flusher = threading.Thread(target=self._flush_loop, name="em-mqtt-flush", daemon=True)
        self._flusher.start()
        self.client.connect_async(self._host, self._port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._flusher is not None:
            self._flusher.join(10)
        self.client.disconnect()
        self.client.loop_stop()

    def run_forever(self, duration_s: float | None = None) -> None:
        self.start()
        deadline = None if duration_s is None else time.monotonic() + duration_s
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            self.stop()

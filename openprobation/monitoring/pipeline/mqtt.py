"""The MQTT receiver: OwnTracks messages from the broker into the durable log.

Devices publish OwnTracks JSON to ``owntracks/<subject>/<device serial>`` (QoS 1). In production the
broker authenticates each device (Mosquitto's password file or auth plugin, with an ACL that lets a
device's username publish only on its own topic, ``pattern write owntracks/+/%u``); this receiver
checks that the serial in the topic names a device that may report now (``auth.lookup_many``) and
drops (and counts) the rest.

- MQTT 5 (``mqttwire``), subscribing ``owntracks/+/+`` with QoS 1 (``$share/op-em/owntracks/+/+``
  with ``shared``: several receivers share the load) on a persistent session: a fixed client id,
  clean start off and a session expiry interval (7 days: older fixes are refused anyway), so the
  broker keeps what arrives while the receiver restarts.
- Receive Maximum 65,535: the broker may have that many messages unacknowledged at this receiver
  (Mosquitto's ``max_inflight_messages``, 20 by default, applies only to MQTT 3 clients). A reader
  thread drains the socket (one large read, every complete packet cut out of it); a flusher thread
  gathers messages for up to ``batch_s`` (50 ms) or ``batch_max`` (2,000), parses them, appends
  them to the log as one entry per partition (on NATS all partitions in one round trip), and
  only then acknowledges the batch in one write — nothing acknowledged can be lost. If the append
  fails the batch is kept and tried again; the broker holds the rest.
- What the broker drops is reported: the receiver subscribes to Mosquitto's
  ``$SYS/broker/publish/messages/dropped`` (all clients counted; read access to ``$SYS`` needed) and
  logs an error when it grows; it warns when it falls behind by half its Receive Maximum.
- An OwnTracks last will (``{"_type": "lwt", ...}``, which the app registers on the same topic)
  becomes a ``DeviceEvent(device, "disconnected", at)``. Empty payloads (a retained message being
  cleared) are acknowledged and ignored; status sub-topics are not subscribed.
- Malformed input of a known device is stored as ``RejectedMessage`` (rate-limited) and never stops
  the loop.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import close_old_connections, connection

from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.pipeline import auth
from openprobation.monitoring.pipeline import mqttwire as wire
from openprobation.monitoring.pipeline.log import Log
from openprobation.monitoring.pipeline.logs import get_log
from openprobation.monitoring.pipeline.messages import EVENT_DISCONNECTED, DeviceEvent, Fix, encode
from openprobation.monitoring.pipeline.mqttwire import Publish
from openprobation.monitoring.pipeline.receive import parse_owntracks, with_device

logger = logging.getLogger(__name__)
TOPIC = "owntracks/+/+"
SHARE_GROUP = "op-em"
DROPPED_TOPIC = "$SYS/broker/publish/messages/dropped"
_DROPPED_TOPIC = DROPPED_TOPIC.encode()
READ_BYTES = 1 << 18
SESSION_EXPIRY_S = 7 * 86_400
RECEIVE_MAXIMUM = 65_535


@dataclass
class Stats:
    received: int = 0
    fixes: int = 0
    refused: int = 0
    unknown_device: int = 0
    entries: int = 0
    append_failures: int = 0
    last_wills: int = 0
    connections: int = 0
    broker_dropped: int = 0  # what the broker reported dropping while this receiver ran (all clients)


def serial_of(topic: str) -> str | None:
    """The device serial of ``owntracks/<subject>/<serial>``; None for any other topic."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != "owntracks" or not parts[2]:
        return None
    return parts[2]


def broker_address(url: str) -> tuple[str, int, str | None, str | None]:
    parts = urlsplit(url or "mqtt://127.0.0.1:1883")
    if parts.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"unsupported broker address {parts.scheme}:// (mqtt://host:port)")
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return parts.hostname or "127.0.0.1", parts.port or 1883, username, password


class MqttReceiver:
    def __init__(
        self,
        url: str,
        *,
        shared: bool = False,
        client_id: str | None = None,
        log: Log | None = None,
        batch_s: float = 0.05,
        batch_max: int = 2_000,
        persistent: bool = True,
        receive_maximum: int = RECEIVE_MAXIMUM,
        session_expiry_s: int = SESSION_EXPIRY_S,
        keepalive_s: int = 30,
    ):
        self.url = url
        self.shared = shared
        self.client_id = client_id or f"op-em-receiver-{uuid.uuid4().hex[:8]}"
        self.batch_s = batch_s
        self.batch_max = batch_max
        self.log = log
        self.persistent = persistent
        self.receive_maximum = max(1, min(int(receive_maximum), 65_535))
        self.session_expiry_s = session_expiry_s if persistent else 0
        self.keepalive_s = keepalive_s
        self.stats = Stats()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._unsubscribed = threading.Event()
        self._busy = False  # the flusher is working on a batch
        self._last_publish = 0.0
        self._host, self._port, self._username, self._password = broker_address(url)
        self._pending: list[Publish] = []
        self._cond = threading.Condition()
        self._generation = 0  # one per connection: a packet id is acknowledged only on its own
        self._send_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._last_sent = 0.0
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        self._flusher: threading.Thread | None = None
        self._serials: dict[bytes, str | None] = {}
        self._dropped_seen: int | None = None
        self._behind_warned = 0.0

    @property
    def topic(self) -> str:
        return f"$share/{SHARE_GROUP}/{TOPIC}" if self.shared else TOPIC

    # --- the reader thread: the connection ------------------------------------------------------

    def _read_loop(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self._host, self._port), timeout=10)
            except OSError as exc:
                logger.warning("MQTT broker %s:%s unreachable (%s); trying again", self._host, self._port, exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
                continue
            try:
                self._session(sock)
                delay = 1.0
            except (OSError, wire.ProtocolError) as exc:
                if not self._stop.is_set():
                    logger.warning("MQTT connection lost (%s); reconnecting", exc)
                    self._stop.wait(delay)
                    delay = min(delay * 2, 10.0)
            except Exception:  # a packet this code cannot read: never let the reader die
                logger.exception("MQTT connection dropped")
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
            finally:
                self._drop(sock)

    def _session(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        keepalive = self.keepalive_s
        sock.settimeout(keepalive / 2)
        sock.sendall(
            wire.connect(
                self.client_id,
                keepalive=keepalive,
                clean_start=not self.persistent,
                session_expiry=self.session_expiry_s,
                receive_maximum=self.receive_maximum,
                username=self._username,
                password=self._password,
            )
        )
        recv = sock.recv
        buf = b""
        last_in = time.monotonic()
        while not self._stop.is_set():
            try:
                data: bytes | None = recv(READ_BYTES)
            except TimeoutError:
                data = None
            now = time.monotonic()
            if data is not None:
                if not data:
                    raise ConnectionError("the broker closed the connection")
                last_in = now
                buf = buf + data if buf else data
                publishes, others, used = wire.split(buf, time.time())
                if used:
                    buf = buf[used:]
                for first, body in others:
                    keepalive = self._control(sock, first, body, keepalive)
                if publishes:
                    self._deliver(publishes)
            elif now - last_in > keepalive * 1.5:
                raise TimeoutError("the broker stopped answering")
            if self.connected.is_set() and now - self._last_sent >= keepalive / 2:
                self._send(wire.PINGREQ_PACKET)

    def _control(self, sock: socket.socket, first: int, body: bytes, keepalive: int) -> int:
        kind = first & 0xF0
        if kind == wire.CONNACK:
            session_present, code, props = wire.connack(body)
            if code >= 0x80:
                raise wire.ProtocolError(
                    f"connection refused (reason 0x{code:02x} {props.get(wire.REASON_STRING, '')})"
                )
            keepalive = int(props.get(wire.SERVER_KEEP_ALIVE, keepalive)) or keepalive
            sock.settimeout(keepalive / 2)
            with self._cond:
                self._generation += 1
                if self._pending:
                    if session_present:
                        self._pending.clear()  # the broker delivers them again on this connection
                    else:  # the broker lost the session: they come only once; no packet id of theirs is valid now
                        self._pending = [(0, 0, t, p, r) for _m, _q, t, p, r in self._pending]
            with self._send_lock:
                self._sock = sock
            self.stats.connections += 1
            self._send(wire.subscribe(1, [(self.topic, 1 | wire.RETAIN_IF_NEW), (DROPPED_TOPIC, 0)]))
            self.connected.set()
        elif kind == wire.SUBACK:
            _pid, codes = wire.suback(body)
            if not codes or codes[0] >= 0x80:
                raise wire.ProtocolError(f"the broker refused the subscription to {self.topic} ({codes})")
            if len(codes) > 1 and codes[1] >= 0x80:
                logger.info("no read access to %s: the broker's drops will not be reported", DROPPED_TOPIC)
            self.subscribed.set()
        elif kind == wire.UNSUBACK:
            self._unsubscribed.set()
        elif kind == wire.DISCONNECT:
            code, reason = wire.disconnect_reason(body)
            raise ConnectionError(f"the broker disconnected this client (reason 0x{code:02x} {reason})")
        elif kind != wire.PINGRESP:
            raise wire.ProtocolError(f"unexpected packet 0x{first:02x}")
        return keepalive

    def _deliver(self, publishes: list[Publish]) -> None:
        if any(m[2][:1] == b"$" for m in publishes):  # the broker's own topics
            for m in publishes:
                if m[2] == _DROPPED_TOPIC:
                    self._broker_dropped(m[3])
            publishes = [m for m in publishes if m[2][:1] != b"$"]
        with self._cond:
            self._pending.extend(publishes)
            self._last_publish = time.monotonic()
            waiting = len(self._pending)
            if waiting >= self.batch_max:
                self._cond.notify()
        if waiting > self.receive_maximum // 2 and time.monotonic() - self._behind_warned > 60:
            self._behind_warned = time.monotonic()
            logger.warning(
                "the MQTT receiver is %d messages behind; past %d unacknowledged the broker queues the rest "
                "(max_queued_messages) and then drops them",
                waiting,
                self.receive_maximum,
            )

    def _broker_dropped(self, payload: bytes) -> None:
        try:
            total = int(payload)
        except ValueError:
            return
        seen, self._dropped_seen = self._dropped_seen, total
        if seen is None:
            if total:
                logger.warning("the MQTT broker has dropped %d QoS 1/2 messages since it started", total)
        elif total > seen:
            self.stats.broker_dropped += total - seen
            logger.error(
                "the MQTT broker dropped %d QoS 1/2 messages (a client's queue was full: max_queued_messages; "
                "all its clients counted)",
                total - seen,
            )

    def _send(self, data: bytes, generation: int | None = None) -> bool:
        with self._send_lock:
            sock = self._sock
            if sock is None or (generation is not None and generation != self._generation):
                return False
            try:
                sock.sendall(data)
            except OSError:
                return False
            self._last_sent = time.monotonic()
            return True

    def _drop(self, sock: socket.socket) -> None:
        with self._send_lock:
            if self._sock is sock:
                self._sock = None
        self.connected.clear()
        self.subscribed.clear()
        with contextlib.suppress(OSError):
            sock.close()

    # --- the flusher thread -------------------------------------------------------------------------

    def _take(self, wait: bool, holding: bool) -> tuple[int, list[Publish]]:
        with self._cond:
            if wait and len(self._pending) < self.batch_max:
                self._cond.wait(self.batch_s)
            batch = self._pending[: self.batch_max]
            del self._pending[: self.batch_max]
            self._busy = bool(batch) or holding
            return self._generation, batch

    def _devices(self, topics: set[bytes]) -> dict[bytes, auth.Known | None]:
        serials = self._serials
        if len(serials) > 200_000:
            serials.clear()
        for topic in topics - serials.keys():
            serials[topic] = serial_of(topic.decode("utf-8", "replace"))
        known = auth.lookup_many({s for s in (serials[t] for t in topics) if s})
        return {t: known.get(s) if (s := serials[t]) else None for t in topics}

    def process(self, batch: Sequence[Publish], generation: int | None = None) -> bool:
        """Parse a batch, append it to the log per partition, then acknowledge it (on the connection
        ``generation``, if it is still the one). False if the append failed (nothing acknowledged;
        the caller tries again)."""
        log = self.log or get_log()
        partitions = settings.EM_PARTITIONS
        devices = self._devices({m[2] for m in batch})
        fixes: dict[int, list[Fix]] = defaultdict(list)
        events: dict[int, list[DeviceEvent]] = defaultdict(list)
        refused = unknown = 0
        for _mid, _qos, topic, payload, received in batch:
            if not payload:
                continue
            device = devices[topic]
            if device is None or not device.may_report:
                unknown += 1
                continue
            result = parse_owntracks(payload, now=received)
            part = device.device_id % partitions
            if result.fixes:
                fixes[part].extend(with_device(result.fixes, device.device_id))
            if result.last_will:
                events[part].append(DeviceEvent(device.device_id, EVENT_DISCONNECTED, received))
            if result.refusals:
                refused += len(result.refusals)
                auth.record_rejections(
                    device.device_id, Channel.MQTT, ((r.code, r.message) for r in result.refusals), payload
                )
        received = max((m[4] for m in batch), default=time.time())
        entries = [
            (part, encode(received=received, channel=Channel.MQTT, fixes=fixes[part], events=events[part]))
            for part in sorted(set(fixes) | set(events))
        ]
        try:
            log.append_many(entries)
        except Exception:
            self.stats.append_failures += 1
            logger.exception("the log refused an append; the batch is kept")
            return False
        stats = self.stats
        stats.entries += len(entries)
        stats.received += len(batch)
        stats.unknown_device += unknown
        stats.fixes += sum(len(f) for f in fixes.values())
        stats.refused += refused
        stats.last_wills += sum(len(e) for e in events.values())
        mids = wire.packet_ids(batch)
        if mids:
            self._send(wire.pubacks(mids), self._generation if generation is None else generation)
        return True

    def _flush_loop(self) -> None:
        retry: list[Publish] = []
        retry_generation = 0
        try:
            while True:
                stopping = self._stop.is_set()  # then one last pass over what has arrived
                generation, fresh = self._take(wait=not stopping, holding=bool(retry))
                if retry and retry_generation != generation:
                    retry = [(0, 0, t, p, r) for _m, _q, t, p, r in retry]  # ids of a closed connection
                batch = retry + fresh if retry else fresh
                retry = []
                if batch:
                    try:
                        ok = self.process(batch, generation)
                    except Exception:
                        logger.exception("an MQTT batch failed")
                        close_old_connections()
                        ok = False
                    if ok:
                        with self._cond:
                            self._busy = False
                    else:  # still busy: the batch is held
                        retry, retry_generation = batch, generation
                        if self._stop.wait(0.5):
                            return  # stopping: unacknowledged messages are delivered again by the broker
                if stopping:
                    return
        finally:
            connection.close()  # this thread's own database connection

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        self._flusher = threading.Thread(target=self._flush_loop, name="em-mqtt-flush", daemon=True)
        self._flusher.start()
        self._reader = threading.Thread(target=self._read_loop, name="em-mqtt-read", daemon=True)
        self._reader.start()

    def stop(self, *, leave: bool = False) -> None:
        """Stop: what has arrived is appended and acknowledged once more, the rest is delivered again
        on the session. ``leave``: unsubscribe first, drain everything, and end the session (a shared
        receiver retired for good, so the broker no longer gives it a share)."""
        end_session = False
        if leave and self.connected.is_set():
            self._unsubscribed.clear()
            if self._send(wire.unsubscribe(2, [self.topic])) and self._unsubscribed.wait(10):
                end_session = self._drain(60.0)
            if not end_session:
                logger.warning("the MQTT receiver could not drain what it holds; its session is kept")
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._flusher is not None:
            self._flusher.join(15)
        with self._send_lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.sendall(wire.DISCONNECT_ENDING_SESSION if end_session else wire.DISCONNECT_PACKET)
                sock.shutdown(socket.SHUT_RDWR)
        if self._reader is not None:
            self._reader.join(10)

    def _drain(self, timeout_s: float) -> bool:
        """Wait until every message that came is appended and acknowledged and nothing more has come
        for half a second; False if that did not happen in time."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._cond:
                idle = not self._pending and not self._busy and time.monotonic() - self._last_publish > 0.5
            if idle:
                return True
            time.sleep(0.05)
        return False

    def run_forever(self, duration_s: float | None = None) -> None:
        self.start()
        deadline = None if duration_s is None else time.monotonic() + duration_s
        try:
            while deadline is None or time.monotonic() < deadline:
                time.sleep(0.5)
        finally:
            self.stop()

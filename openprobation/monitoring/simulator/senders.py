"""Sending simulated fixes to a local server: over HTTP (``POST /api/v1/em/positions``, HTTP Basic
serial:secret, one message or a store-and-forward batch per request, a keep-alive connection pool
shared by a few threads) or over MQTT (paho-mqtt 2, QoS 1, topic ``owntracks/<subject>/<serial>``).

Loopback only: the simulator refuses any other host, so it cannot be turned on a real service.

MQTT connections: with few devices (``PER_DEVICE_CLIENTS`` or fewer) each device has its own
connection, authenticated as the device, with an OwnTracks last will (``{"_type": "lwt", "tst": …}``
on its topic) that the broker publishes if the connection drops; with more, devices share a small
pool of connections (as a gateway would), which carry no last will — a will belongs to a connection,
not to one device on it.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import orjson
import urllib3

from openprobation.monitoring.simulator.fleet import FleetDevice

log = logging.getLogger("openprobation.monitoring.simulator")

POSITIONS_PATH = "/api/v1/em/positions"
PER_DEVICE_CLIENTS = 64
SHARED_CLIENTS = 8
LOOPBACK_NAMES = {"localhost"}


class NotLoopback(ValueError):
    """The target is not this machine."""


def loopback_url(url: str, *, schemes: Sequence[str]) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url`` if it names this machine (127.0.0.1, ::1, localhost)."""
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise NotLoopback(f"{url!r}: the scheme must be one of {', '.join(schemes)}")
    host = parts.hostname or ""
    try:
        loopback = host in LOOPBACK_NAMES or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise NotLoopback(f"{url!r}: the simulator sends only to this machine (127.0.0.1, ::1 or localhost)")
    try:
        port = parts.port
    except ValueError as exc:
        raise NotLoopback(f"{url!r}: {exc}") from exc
    return parts.scheme, host, port


@dataclass
class Tally:
    """What was sent and what the server made of it (counts of messages)."""

    sent: int = 0
    accepted: int = 0
    refused: int = 0
    failed: int = 0  # not delivered: connection refused, server error, no broker acknowledgement
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, *, sent: int = 0, accepted: int = 0, refused: int = 0, failed: int = 0, requests: int = 0) -> None:
        with self.lock:
            self.sent += sent
            self.accepted += accepted
            self.refused += refused
            self.failed += failed
            self.requests += requests

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "refused": self.refused,
            "failed": self.failed,
            "requests": self.requests,
        }


Batch = tuple[FleetDevice, list[dict[str, Any]]]


class Sender(Protocol):
    tally: Tally

    def send(self, batches: Sequence[Batch]) -> None: ...

    def close(self) -> None: ...


def _accepted_of(status: int, body: bytes, count: int) -> tuple[int, int, int]:
    """(accepted, refused, failed) from the receiver's answer: its counts when it gives them."""
    if status >= 500:
        return 0, 0, count
    if status >= 400:
        return 0, count, 0
    try:
        answer = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("accepted"), int):
        accepted = int(answer["accepted"])
        refused = answer.get("refused")
        return accepted, int(refused) if isinstance(refused, int) else count - accepted, 0
    return count, 0, 0


class HttpSender:
    """POST each device's messages (one object, or an array after a signal gap) with its credential."""

    def __init__(self, base_url: str, *, threads: int = 4, timeout: float = 10.0) -> None:
        scheme, _host, _port = loopback_url(base_url, schemes=("http", "https"))
        self.url = base_url.rstrip("/") + POSITIONS_PATH
        self.tally = Tally()
        self.pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=threads,
            block=True,
            retries=False,
            timeout=urllib3.Timeout(total=timeout),
            cert_reqs="CERT_NONE" if scheme == "https" else None,
        )
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="em-sim-http")

    def _post(self, batch: Batch) -> None:
        device, messages = batch
        body = orjson.dumps(messages[0] if len(messages) == 1 else messages)
        token = base64.b64encode(f"{device.serial}:{device.secret}".encode()).decode("ascii")
        headers = {"Content-Type": "application/json", "Authorization": f"Basic {token}"}
        try:
            response = self.pool.request("POST", self.url, body=body, headers=headers)
        except urllib3.exceptions.HTTPError as exc:
            log.debug("em-simulate: %s: %s", device.serial, exc)
            self.tally.add(sent=len(messages), failed=len(messages), requests=1)
            return
        accepted, refused, failed = _accepted_of(response.status, response.data, len(messages))
        self.tally.add(sent=len(messages), accepted=accepted, refused=refused, failed=failed, requests=1)

    def send(self, batches: Sequence[Batch]) -> None:
        list(self.executor.map(self._post, batches))

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.pool.clear()


class MqttSender:
    """Publish each message with QoS 1; accepted = acknowledged by the broker (PUBACK)."""

    def __init__(self, url: str, devices: Sequence[FleetDevice], *, timeout: float = 10.0) -> None:
        import paho.mqtt.client as mqtt  # noqa: PLC0415 - only the MQTT target needs paho

        _scheme, host, port = loopback_url(url, schemes=("mqtt", "tcp"))
        self.timeout = timeout
        self.tally = Tally()
        self.outstanding: list[Any] = []
        self.lock = threading.Lock()
        per_device = len(devices) <= PER_DEVICE_CLIENTS
        self.clients: list[Any] = []
        self.client_of: dict[int, Any] = {}
        groups = (
            [[d] for d in devices] if per_device else [list(devices[i::SHARED_CLIENTS]) for i in range(SHARED_CLIENTS)]
        )
        for n, group in enumerate(g for g in groups if g):
            client = mqtt.Client(
                callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
                client_id=f"em-sim-{group[0].serial}" if per_device else f"em-sim-gateway-{n}",
                clean_session=True,
            )
            client.max_inflight_messages_set(1000)
            client.max_queued_messages_set(0)
            if per_device:
                device = group[0]
                client.username_pw_set(device.serial, device.secret)
                client.will_set(_topic(device), orjson.dumps({"_type": "lwt", "tst": int(time.time())}), qos=1)
            client.connect(host, port or 1883, keepalive=60)
            client.loop_start()
            self.clients.append(client)
            for device in group:
                self.client_of[device.device_id] = client

    def send(self, batches: Sequence[Batch]) -> None:
        infos = []
        for device, messages in batches:
            client = self.client_of[device.device_id]
            topic = _topic(device)
            for message in messages:
                infos.append(client.publish(topic, orjson.dumps(message), qos=1))
        self.tally.add(sent=len(infos), requests=len(infos))
        with self.lock:
            self.outstanding.extend(infos)
        self._settle(wait=False)

    def _settle(self, *, wait: bool) -> None:
        with self.lock:
            pending, self.outstanding = self.outstanding, []
        still = []
        deadline = time.monotonic() + self.timeout
        for info in pending:
            if wait and not info.is_published():
                info.wait_for_publish(timeout=max(0.0, deadline - time.monotonic()))
            if info.is_published():
                self.tally.add(accepted=1)
            elif wait or info.rc != 0:
                self.tally.add(failed=1)
            else:
                still.append(info)
        with self.lock:
            self.outstanding[:0] = still

    def close(self) -> None:
        self._settle(wait=True)
        for client in self.clients:
            client.disconnect()  # a clean disconnect: the broker does not publish the will
            client.loop_stop()


def _topic(device: FleetDevice) -> str:
    return f"owntracks/{device.subject}/{device.serial}"

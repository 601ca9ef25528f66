"""The simulator's senders: loopback only, HTTP Basic per device with one message or a
store-and-forward batch per request (against a small real HTTP server on 127.0.0.1), the
receiver's answer counted, held fixes sent with the next live one, and MQTT against the local
Mosquitto when it runs."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import threading
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from openprobation.monitoring.simulator.cities import CITIES
from openprobation.monitoring.simulator.fleet import Fleet, FleetDevice
from openprobation.monitoring.simulator.run import Plan, batches_of, run
from openprobation.monitoring.simulator.senders import HttpSender, MqttSender, NotLoopback, loopback_url
from openprobation.monitoring.simulator.traces import Simulation, draw_people

START = dt.datetime(2026, 11, 30, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Almaty")).timestamp()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    requests: list[tuple[str, str, object]]
    status = 202

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        auth = base64.b64decode(self.headers["Authorization"].removeprefix("Basic ")).decode()
        payload = json.loads(body)
        self.server.requests.append((self.path, auth, payload))  # type: ignore[attr-defined]
        count = len(payload) if isinstance(payload, list) else 1
        answer = json.dumps({"accepted": count - 1, "refused": 1} if count > 3 else {"accepted": count}).encode()
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.requests = []  # type: ignore[attr-defined]
    server.status = 202  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _fleet(n: int) -> Fleet:
    cities = list(CITIES.values())
    devices = [
        FleetDevice(
            index=i, device_id=100 + i, serial=f"T-{i:03d}", subject=f"case{i}", secret=f"s{i}", assignment_id=i
        )
        for i in range(n)
    ]
    return Fleet(devices=devices, people=draw_people(5, [cities[i % 3] for i in range(n)]))


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "http://10.0.0.8:8000", "https://192.168.1.1", "ftp://127.0.0.1", "http://127.0.0.1:x"],
)
def test_a_target_that_is_not_this_machine_is_refused(url):
    with pytest.raises(NotLoopback):
        HttpSender(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000", "http://127.0.0.2"])
def test_loopback_targets_are_accepted(url):
    HttpSender(url).close()
    with pytest.raises(NotLoopback):
        loopback_url("mqtt://broker.example.com:1883", schemes=("mqtt",))


def test_http_sender_posts_each_device_with_its_credential_one_message_or_a_batch(receiver):
    fleet = _fleet(3)
    one = {"_type": "location", "lat": 43.2, "lon": 76.9, "tst": 1}
    batches = [(fleet.devices[0], [one]), (fleet.devices[1], [one, one]), (fleet.devices[2], [one] * 5)]
    sender = HttpSender(f"http://127.0.0.1:{receiver.server_port}", threads=2)
    sender.send(batches)
    sender.close()
    got = sorted(receiver.requests, key=lambda r: r[1])
    assert [r[0] for r in got] == ["/api/v1/em/positions"] * 3
    assert [r[1] for r in got] == ["T-000:s0", "T-001:s1", "T-002:s2"]
    assert got[0][2] == one and got[1][2] == [one, one] and len(got[2][2]) == 5
    assert sender.tally.as_dict() == {"sent": 8, "accepted": 7, "refused": 1, "failed": 0, "requests": 3}


def test_http_sender_counts_refusals_and_failures(receiver):
    fleet = _fleet(1)
    receiver.status = 400
    sender = HttpSender(f"http://127.0.0.1:{receiver.server_port}")
    sender.send([(fleet.devices[0], [{"lat": 1}])])
    receiver.status = 500
    sender.send([(fleet.devices[0], [{"lat": 1}])])
    sender.close()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = HttpSender(f"http://127.0.0.1:{port}", timeout=2)
    closed.send([(fleet.devices[0], [{"lat": 1}, {"lat": 2}])])
    closed.close()
    assert (sender.tally.refused, sender.tally.failed, closed.tally.failed) == (1, 1, 2)


def test_fixes_held_in_a_signal_gap_go_with_the_next_live_fix():
    fleet = _fleet(30)
    sim = Simulation(fleet.people, seed=3, start=START, days=2, violations=0.3)
    gaps = [(i, d) for i in range(30) for d in range(2) if not np.isnan(sim.gap_start[i, d])]
    assert gaps
    device, day = gaps[0]
    trace = sim.trace(device, start=sim.gap_start[device, day] - 120, end=sim.gap_end[device, day] + 120, interval=30)
    held: dict[int, list[dict[str, object]]] = {}
    sent = []
    for k in range(len(trace)):
        sent += batches_of(fleet, trace.take(np.array([k])), held)
    sizes = [len(messages) for _d, messages in sent]
    assert sum(sizes) == len(trace) and max(sizes) == int(trace.held.sum()) + 1
    batch = next(messages for _d, messages in sent if len(messages) > 1)
    assert [m["seq"] for m in batch] == sorted(m["seq"] for m in batch)
    assert all("created_at" in m for m in batch[:-1])


def test_a_run_sends_every_scheduled_fix_once(receiver):
    fleet = _fleet(12)
    plan = Plan(interval=5, duration=2, speedup=60, tick=0.05)
    sim = Simulation(fleet.people, seed=9, start=START + 9 * 3600, days=2, violations=0.0)
    ticks = iter(np.arange(0, 100, 0.25).tolist())
    wall0 = START + 9 * 3600

    def clock():
        return wall0 + next(ticks)

    sender = HttpSender(f"http://127.0.0.1:{receiver.server_port}")
    run(fleet=fleet, simulation=sim, sender=sender, plan=plan, clock=clock)
    sender.close()
    origin = plan.origin(wall0)  # sped up: the simulated two minutes end at the wall clock
    assert origin == wall0 - 2 * 59
    device, t = sim.schedule(interval=5, start=origin, end=origin + 120, origin=origin)
    held_at_end = int(sim.fixes(device, t).held.sum())
    payloads = [p if isinstance(p, list) else [p] for _path, _auth, p in receiver.requests]
    seqs = [(auth, m["seq"]) for (_p, auth, _b), ms in zip(receiver.requests, payloads, strict=True) for m in ms]
    assert len(seqs) == len(set(seqs)) == len(t) - held_at_end == sender.tally.sent


@pytest.mark.services
def test_mqtt_sender_publishes_with_qos1_to_the_local_broker():
    import paho.mqtt.client as mqtt

    url = os.environ.get("EM_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")
    try:
        socket.create_connection(("127.0.0.1", 1883), timeout=2).close()
        available = True
    except OSError:
        available = False
    if not available:
        if os.environ.get("CI") == "true":
            pytest.fail("required in CI: Mosquitto at 127.0.0.1:1883")
        pytest.skip("Mosquitto at 127.0.0.1:1883 is not reachable")
    fleet = _fleet(2)
    fleet.devices[0].subject = f"simtest{os.getpid()}"
    fleet.devices[1].subject = f"simtest{os.getpid()}"
    got: list[tuple[str, Any]] = []
    subscribed = threading.Event()
    listener = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2)
    listener.on_message = lambda _c, _u, msg: got.append((msg.topic, msg.payload))
    listener.on_subscribe = lambda *_a: subscribed.set()
    listener.connect("127.0.0.1", 1883)
    listener.subscribe(f"owntracks/simtest{os.getpid()}/#", qos=1)
    listener.loop_start()
    assert subscribed.wait(10)
    sender = MqttSender(url, fleet.devices)
    sender.send([(fleet.devices[0], [{"seq": 1}, {"seq": 2}]), (fleet.devices[1], [{"seq": 3}])])
    sender.close()
    deadline = threading.Event()
    for _ in range(50):
        if len(got) >= 3:
            break
        deadline.wait(0.1)
    listener.loop_stop()
    listener.disconnect()
    assert sender.tally.accepted == 3 and sender.tally.failed == 0
    assert sorted(json.loads(p)["seq"] for _t, p in got) == [1, 2, 3]
    assert {t.rsplit("/", 1)[-1] for t, _p in got} == {"T-000", "T-001"}

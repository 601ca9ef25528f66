"""`make bench`, electronic monitoring part two: the pipeline end to end, on PostgreSQL and NATS.

Each figure is printed beside a baseline measured in the same run, with the command, the machine and
its load (``/proc/loadavg``):

2. ingest with evaluation and alerts into PostgreSQL, 10,000 devices with three zones and a curfew
   each (1 % of them leave their city for a while: inclusion-exit alerts open and close):
   (a) MQTT, one message per fix: load processes -> Mosquitto -> ``em-receive-mqtt`` -> NATS
       JetStream -> ``em-evaluate`` -> PostgreSQL; fixes/s stored over a window after a warm-up
       (target >= 10,000/s); a private Mosquitto configured as the README advises
       (``max_queued_messages`` 1,000,000; ``--broker-defaults`` for Mosquitto's own limits);
   (b) HTTP batches of 100 fixes: load processes -> gunicorn (``POST /api/v1/em/positions``) -> NATS
       -> ``em-evaluate`` -> PostgreSQL (target >= 20,000/s), offered at ``--http-rate`` fixes/s
       (default 28,000; 0: as fast as the server answers, which measures the receivers alone: they
       then take the CPU the evaluator needs); also printed: fixes/s the receivers accepted;
   baseline: a plain bulk INSERT of the same number of positions into the same table (no log, no
   evaluation). Where the CPU went: CPU seconds per process over the window (``/proc``).
3. alert latency at 25,000 devices reporting every 15 s (1,667 fixes/s) over MQTT, 2 % of the
   devices of one region stepping out of their city: from the message's receipt
   (``Alert.received_at``) to the alert first readable through ``GET /api/v1/em/alerts/`` polled
   every 50 ms with the API token of that region's administrator — p50/p95/p99 (target p99 <= 1 s);
   also receipt -> commit (``raised_at - received_at``); baseline: the API read's own latency.
4. RSS of an ``em-evaluate`` process owning all partitions, after loading 10,000 devices and
   evaluating (the process of 2a at its end), beside one on a database with no devices, in MB.

Databases: a throwaway database per scenario on the local PostgreSQL (``BENCH_PG``, default
``postgres://postgres@127.0.0.1:5432``), each ``CREATE DATABASE ... TEMPLATE`` of a cached template
(``em_bench_<hash>_{0,10k,25k}``: migrated, then the simulated fleet bulk-created by
``simulator.fleet``), rebuilt only when the migrations or the fleet code change (key: their hash);
older templates are dropped. Each scenario has its own JetStream stream (deleted after). Every
process, database and stream is removed at the end, also on failure. Loopback only.

Run: ``.venv/bin/python bench/em_pipeline.py [--quick] [--evaluators 1] [--receivers 1]``
(about 6 minutes; ``--quick`` about 3; the first run builds the templates, about 1-2 minutes more).
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MQTT = 10_000.0
TARGET_HTTP = 20_000.0
TARGET_P99_S = 1.0
SEED = 2026
PREFIX = "BENCH"
NATS_URL = "nats://127.0.0.1:4222"
PARTITIONS = 16
BROKER_QUEUED = 1_000_000
SECRET = "bench-only-not-a-real-key-" + "x" * 32
FIX = (
    b'{"_type":"location","lat":%.6f,"lon":%.6f,"tst":%.3f,"acc":8,"batt":80,"vel":1,"cog":0,'
    b'"seq":%d,"strap":"intact","fix":"valid","t":"u"}'
)

_CLEANUP: list[Any] = []


# --- plumbing ------------------------------------------------------------------------------------


def _pg_base() -> str:
    return os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def _sql(sql: str, db: str = "postgres", *, fetch: bool = False) -> Any:
    import psycopg

    with psycopg.connect(f"{_pg_base()}/{db}", autocommit=True) as conn:
        cur = conn.execute(sql)  # type: ignore[arg-type]
        return cur.fetchall() if fetch else None


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


MQTT_PORT = [1883]


def _env(db: str, stream: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "DATABASE_URL": f"{_pg_base()}/{db}",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "false",
            "LOCAL_DEVELOPMENT": "true",
            "EM_NATS_URL": NATS_URL,
            "EM_NATS_STREAM": stream,
            "EM_MQTT_URL": f"mqtt://127.0.0.1:{MQTT_PORT[0]}",
            "EM_PARTITIONS": str(PARTITIONS),
            "EM_EVALUATE_IN_PROCESS": "false",
            "EM_DEMO_STREAM": "false",
            "CELERY_BROKER_URL": "",
            "DJANGO_SETTINGS_MODULE": "openprobation.settings",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Procs:
    """Child processes of a scenario: started with a log file each, stopped (TERM, then KILL) at the end."""

    def __init__(self) -> None:
        self.items: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        _CLEANUP.append(self)

    def spawn(self, name: str, cmd: Sequence[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = Path(tempfile.gettempdir()) / f"em-bench-{name}-{uuid.uuid4().hex[:6]}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(list(cmd), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        self.items.append((name, proc, log))
        return proc

    def manage(self, name: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
        return self.spawn(name, [sys.executable, "-m", "openprobation", *args], env)

    def log_of(self, proc: subprocess.Popen[bytes]) -> str:
        for _n, p, log in self.items:
            if p is proc:
                return log.read_text(errors="replace")
        return ""

    def wait_for(self, proc: subprocess.Popen[bytes], text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_of(proc):
                return
            if proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"a process did not say {text!r}:\n{self.log_of(proc)[-2000:]}")

    def stop(self) -> None:
        for _n, p, _l in self.items:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for _n, p, _l in self.items:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        for _n, _p, log in self.items:
            if not os.environ.get("BENCH_KEEP_DB"):
                log.unlink(missing_ok=True)
        self.items.clear()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _service_pids(names: Sequence[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {n: [] for n in names}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            for n in names:
                if comm.startswith(n):
                    found[n].append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds per group of processes between ``start`` and ``stop`` (services: all their processes,
    PostgreSQL's including other clients' backends)."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.before: dict[str, float] = {}
        self.wall = 0.0

    def _now(self) -> dict[str, float]:
        services = _service_pids(["postgres", "nats-server", "mosquitto"])
        groups = {**self.groups, **{f"{k} (all)": v for k, v in services.items()}}
        return {k: sum(_cpu_seconds(p) for p in pids) for k, pids in groups.items()}

    def start(self) -> None:
        self.before = self._now()
        self.wall = time.monotonic()

    def stop(self) -> dict[str, float]:
        after = self._now()
        wall = time.monotonic() - self.wall
        return {k: round((after[k] - self.before.get(k, 0.0)) / wall, 2) for k in after}


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("openprobation/*/migrations/*.py"))
    files += [ROOT / "openprobation/monitoring/simulator" / n for n in ("fleet.py", "traces.py", "cities.py")]
    files.append(Path(__file__))
    for f in files:
        if f.name == "em_pipeline.py":
            # only the template builder's part of this file counts
            text = f.read_text()
            digest.update(text[text.index("def _build_template") : text.index("# --- end of template")].encode())
        else:
            digest.update(f.read_bytes())
    return digest.hexdigest()[:10]


def _databases() -> set[str]:
    return {r[0] for r in _sql("SELECT datname FROM pg_database", fetch=True)}


def _templates(fleets: Sequence[int]) -> dict[int, str]:
    """The cached template databases (built when missing): migrated, then ``n`` simulated devices."""
    key = _migrations_hash()
    names = {n: f"em_bench_{key}_{n // 1000}k" for n in fleets}
    have = _databases()
    # Stale templates only: a run's database (em_bench_run_…) may belong to a run going on beside this one.
    stale_templates = (d for d in have if d.startswith("em_bench_") and not d.startswith("em_bench_run_"))
    for stale in sorted(d for d in stale_templates if d not in names.values()):
        with contextlib.suppress(Exception):
            _sql(f'DROP DATABASE "{stale}" WITH (FORCE)')
    for count, name in sorted(names.items()):
        if name in have:
            continue
        started = time.monotonic()
        building = f"{name}_building"
        _sql(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        base = names.get(0)
        if count and base:
            _sql(f'CREATE DATABASE "{building}" TEMPLATE "{base}"')
        else:
            _sql(f'CREATE DATABASE "{building}"')
        env = _env(building, "OP_EM_BENCH_UNUSED")
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--_build-template", str(count)], env=env, cwd=ROOT, check=True, timeout=900
        )
        _sql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        print(f"  (template {name} built in {time.monotonic() - started:.0f} s)", flush=True)
    return names


def _build_template(count: int) -> None:
    """In a subprocess on the database being built: migrate, and create ``count`` devices."""
    import django

    django.setup()
    from django.core.management import call_command

    if count == 0:
        call_command("migrate", verbosity=0)
        return
    from django.utils import timezone

    from openprobation.accounts.models import Region, Role, User
    from openprobation.monitoring.simulator.fleet import fleet_prepare

    fleet_prepare(count=count, seed=SEED, prefix=PREFIX, installed_at=timezone.now() - dt.timedelta(days=30))
    region = Region.objects.get(code="ALA")
    User.objects.create(username="em-bench-region", role=Role.REGIONAL_ADMIN, region=region, first_name="Bench")


# --- end of template


def _prepare_run(count: int, out: str) -> None:
    """In a subprocess on a run database: fresh device credentials and the fleet's places, an API token."""
    import django

    django.setup()
    from django.db import connection

    from openprobation.accounts.models import User
    from openprobation.accounts.tokens import token_create
    from openprobation.monitoring.simulator.fleet import fleet_load

    # Installed two minutes ago: a device silent since an installation 30 days back would open
    # lost-communication and no-fix alerts at the evaluator's first tick.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_assignment SET installed_at = now() - interval '2 minutes'")
        cursor.execute("UPDATE monitoring_zoneversion SET valid_from = now() - interval '2 minutes'")
    fleet = fleet_load(prefix=PREFIX, limit=count, seed=SEED, rotate=True)
    user = User.objects.get(username="em-bench-region")
    rows = [
        {
            "serial": d.serial,
            "subject": d.subject,
            "secret": d.secret,
            "device_id": d.device_id,
            "home": p.home,
            "outside": p.outside,
            "region": p.city.region,
        }
        for d, p in zip(fleet.devices, fleet.people, strict=True)
    ]
    Path(out).write_text(json.dumps({"devices": rows, "token": token_create(user=user, label="bench").secret}))


class Run:
    """One scenario's database (a copy of a template) and JetStream stream, removed by ``close``."""

    def __init__(self, template: str, devices: int) -> None:
        self.db = f"em_bench_run_{uuid.uuid4().hex[:8]}"
        self.stream = f"OP_EM_BENCH_{uuid.uuid4().hex[:8].upper()}"
        _CLEANUP.append(self)
        _sql(f'CREATE DATABASE "{self.db}" TEMPLATE "{template}"')
        self.env = _env(self.db, self.stream)
        self.devices: list[dict[str, Any]] = []
        self.token = ""
        if devices:
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
                out = f.name
            try:
                subprocess.run(  # noqa: S603
                    [sys.executable, __file__, "--_prepare", str(devices), out],
                    env=self.env,
                    cwd=ROOT,
                    check=True,
                    timeout=300,
                )
                data = json.loads(Path(out).read_text())
            finally:
                Path(out).unlink(missing_ok=True)
            self.devices, self.token = data["devices"], data["token"]

    def count(self) -> tuple[int, int]:
        rows = _sql(
            "SELECT (SELECT count(*) FROM monitoring_position), (SELECT count(*) FROM monitoring_alert)",
            self.db,
            fetch=True,
        )
        return int(rows[0][0]), int(rows[0][1])

    def close(self) -> None:
        if self.db and os.environ.get("BENCH_KEEP_DB"):
            print(f"  (kept database {self.db})", flush=True)
            self.db = ""
        if self.db:
            with contextlib.suppress(Exception):
                _sql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            self.db = ""
        if self.stream:
            with contextlib.suppress(Exception):
                _delete_stream(self.stream)
            self.stream = ""


def _delete_stream(stream: str) -> None:
    import asyncio

    import nats

    async def run() -> None:
        nc = await nats.connect(NATS_URL, connect_timeout=3, max_reconnect_attempts=1)
        try:
            with contextlib.suppress(Exception):
                await nc.jetstream().delete_stream(stream)
        finally:
            await nc.close()

    asyncio.run(run())


def _cleanup() -> None:
    while _CLEANUP:
        item = _CLEANUP.pop()
        with contextlib.suppress(Exception):
            item.stop() if isinstance(item, Procs) else item.close()


# --- load generators (subprocesses; lean: payloads built from a compact spec before the start) ----


def _slice(spec: dict[str, Any]) -> list[dict[str, Any]]:
    devices = json.loads(Path(spec["devices"]).read_text())["devices"]
    k, n = spec["index"], spec["of"]
    return [d for i, d in enumerate(devices[: spec["count"]]) if i % n == k]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _mqtt_connect(port: int) -> socket.socket:
    """A bare MQTT 3.1.1 connection (clean session, no keep-alive): the load needs nothing more."""
    client_id = f"em-bench-gen-{uuid.uuid4().hex[:8]}".encode()
    body = b"\x00\x04MQTT\x04\x02\x00\x00" + len(client_id).to_bytes(2, "big") + client_id
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    answer = sock.recv(4)
    if answer[:1] != b"\x20" or answer[3:4] != b"\x00":
        raise RuntimeError(f"MQTT connection refused: {answer!r}")
    sock.settimeout(None)
    return sock


def _publish_packet(topic: bytes, payload: bytes, packet_id: int) -> bytes:
    body = len(topic).to_bytes(2, "big") + topic + packet_id.to_bytes(2, "big") + payload
    return b"\x32" + _varint(len(body)) + body  # PUBLISH, QoS 1


def _gen_mqtt(spec: dict[str, Any]) -> None:
    """Publish one message per fix, QoS 1, from pre-encoded MQTT packets written straight to a socket
    (a Python MQTT client spends more CPU per message than the receiver does). Throughput: ``rate``
    messages/s for ``seconds``, each device in turn; latency (``interval``): each device every
    ``interval`` s at its own offset. The fix time is the planned send time."""
    devices = _slice(spec)
    start, seconds = float(spec["start"]), float(spec["seconds"])
    violators = set(spec["violators"])
    interval = float(spec.get("interval") or 0)
    topics = [f"owntracks/{d['subject']}/{d['serial']}".encode() for d in devices]
    plan: list[tuple[float, int, int]] = []  # (offset from start, device, round)
    n = len(devices)
    if interval:
        for i in range(n):
            offset = (spec["index"] + spec["of"] * i) * interval / spec["total"]
            plan.extend((offset + interval * r, i, r) for r in range(int(seconds / interval) + 1))
        plan = sorted(p for p in plan if p[0] < seconds)
        out_from = float(spec["step_out"])
    else:
        rate = float(spec["rate"])
        plan = [(m / rate, m % n, m // n) for m in range(int(rate * seconds))]
        out_from = -1.0
    at = []
    packets = []
    for k, (offset, i, r) in enumerate(plan):
        d = devices[i]
        outside = d["serial"] in violators and (offset >= out_from if interval else 10 <= r < 20)
        lat, lon = d["outside"] if outside else d["home"]
        body = FIX % (lat + (r % 3) * 2e-5, lon, start + offset, r + 1)
        at.append(start + offset)
        packets.append(_publish_packet(topics[i], body, k % 65535 + 1))
    sock = _mqtt_connect(int(spec["port"]))
    acked = [0]

    def read_acks() -> None:
        pending = 0
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            pending += len(data)
            acked[0] += pending // 4  # PUBACKs, four bytes each
            pending %= 4

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    late = max(0.0, time.time() - start)
    while time.time() < start:
        time.sleep(0.002)
    sent = 0
    total = len(packets)
    while sent < total:
        now = time.time()
        due = sent
        while due < total and at[due] <= now and due - sent < 2000:
            due += 1
        if due > sent and sent - acked[0] < 50_000:
            sock.sendall(b"".join(packets[sent:due]))
            sent = due
        else:
            time.sleep(0.002)
    deadline = time.time() + 30
    while acked[0] < sent and time.time() < deadline:
        time.sleep(0.02)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    print(json.dumps({"sent": sent, "acked": acked[0], "prepared_late_s": round(late, 2)}), flush=True)


class Broker:
    """A private Mosquitto on a free loopback port for the run, with the settings the README gives for
    production (``max_queued_messages`` raised: the queue is where a backlog beyond the receiver's
    Receive Maximum waits) or, with ``--broker-defaults``, Mosquitto's own (20 in flight for MQTT 3
    clients, 1,000 queued per client, the rest dropped). The receiver (MQTT 5) asks for its own
    window, so ``max_inflight_messages`` only matters to MQTT 3 clients."""

    def __init__(self, inflight: int | None, queued: int | None) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="em-bench-mqtt-"))
        self.port = _free_port()
        conf = self.dir / "mosquitto.conf"
        lines = [f"listener {self.port} 127.0.0.1", "allow_anonymous true", "persistence false", "log_dest none"]
        if inflight is not None:
            lines.append(f"max_inflight_messages {inflight}")
        if queued is not None:
            lines.append(f"max_queued_messages {queued}")
        conf.write_text("\n".join(lines) + "\n")
        conf.chmod(0o644)
        self.dir.chmod(0o755)
        self.proc = subprocess.Popen(
            ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )  # noqa: S603,S607
        _CLEANUP.append(self)
        deadline = time.monotonic() + 10
        while not _port_open("127.0.0.1", self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the private Mosquitto did not start")
            time.sleep(0.1)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


def _gen_http(spec: dict[str, Any]) -> None:
    """Post batches of 100 fixes of one device (Basic auth serial:secret), each device in turn, from
    ``threads`` keep-alive connections for ``seconds``: paced at ``rate`` fixes/s (bodies built before
    the start; a request falls due every 100 / ``rate`` s and goes as soon as a connection is free),
    or with ``rate`` 0 as fast as the server answers (bodies built on the way)."""
    devices = _slice(spec)
    start, seconds = float(spec["start"]), float(spec["seconds"])
    rate = float(spec.get("rate") or 0)
    violators = set(spec["violators"])
    headers = [
        {
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"{d['serial']}:{d['secret']}".encode()).decode(),
        }
        for d in devices
    ]
    lock = threading.Lock()
    cursor = [0]
    tally = {"ok": 0, "fixes": 0, "failed": 0, "behind_s": 0.0}

    def body(i: int, r: int, end: float) -> bytes:
        """A device's stored-up fixes, 0.4 s apart, the last at ``end``."""
        d = devices[i]
        parts = []
        t0 = end - 39.6
        for j in range(100):
            k = r * 100 + j
            lat, lon = d["outside"] if (d["serial"] in violators and 10 <= j < 30) else d["home"]
            parts.append(FIX % (lat + (k % 3) * 2e-5, lon, t0 + 0.4 * j, k + 1))
        return b"[" + b",".join(parts) + b"]"

    every = 100.0 / rate if rate else 0.0
    planned = int(seconds / every) if rate else 0
    bodies = [body(n % len(devices), n // len(devices), start + n * every) for n in range(planned)]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", int(spec["port"]), timeout=30)
        while time.time() < start + seconds:
            with lock:
                n = cursor[0]
                cursor[0] += 1
            i, r = n % len(devices), n // len(devices)
            if rate:
                if n >= planned:
                    break
                due = start + n * every
                wait = due - time.time()
                if wait > 0:
                    time.sleep(wait)
                payload = bodies[n]
                bodies[n] = b""
            else:
                due = time.time()
                payload = body(i, r, due)
            try:
                conn.request("POST", "/api/v1/em/positions", body=payload, headers=headers[i])
                answer = conn.getresponse()
                answer.read()
                ok = answer.status == 202
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", int(spec["port"]), timeout=30)
                ok = False
            with lock:
                tally["behind_s"] = max(tally["behind_s"], time.time() - due)
                if ok:
                    tally["ok"] += 1
                    tally["fixes"] += 100
                else:
                    tally["failed"] += 1
        conn.close()

    while time.time() < start:
        time.sleep(0.005)
    threads = [threading.Thread(target=client) for _ in range(int(spec["threads"]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(
        json.dumps(
            {
                "sent": tally["fixes"],
                "requests": tally["ok"],
                "failed": tally["failed"],
                "seconds": round(time.time() - start, 2),
                "behind_s": round(tally["behind_s"], 2),
            }
        ),
        flush=True,
    )


def _poll(spec: dict[str, Any]) -> None:
    """``GET /api/v1/em/alerts/?since=…`` every ``every`` s: when each alert was first seen, and each
    read's own latency."""
    port, token, since = int(spec["port"]), spec["token"], spec["since"]
    stop_at = time.time() + float(spec["seconds"])
    path = f"/api/v1/em/alerts/?page_size=100&since={since}"
    headers = {"Authorization": f"Token {token}"}
    seen: dict[int, list[Any]] = {}
    reads: list[float] = []
    errors = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.time() < stop_at:
        t0 = time.time()
        try:
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            errors += 1
            continue
        t1 = time.time()
        reads.append(t1 - t0)
        if answer.status != 200:
            errors += 1
        else:
            for row in json.loads(data)["results"]:
                if row["id"] not in seen:
                    seen[row["id"]] = [t1, row.get("received_at"), row.get("raised_at"), row.get("rule")]
        time.sleep(max(0.0, float(spec["every"]) - (time.time() - t0)))
    print(json.dumps({"seen": seen, "reads": reads, "errors": errors}), flush=True)


def _run_child(
    procs: Procs, name: str, mode: str, spec: dict[str, Any], env: dict[str, str]
) -> subprocess.Popen[bytes]:
    path = Path(tempfile.gettempdir()) / f"em-bench-spec-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(spec))
    return procs.spawn(name, [sys.executable, __file__, mode, str(path)], env)


def _result_of(procs: Procs, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    proc.wait(timeout=timeout)
    for line in reversed(procs.log_of(proc).splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"no result from a load process:\n{procs.log_of(proc)[-2000:]}")


# --- the scenarios --------------------------------------------------------------------------------


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _devices_file(run: Run) -> str:
    path = Path(tempfile.gettempdir()) / f"em-bench-devices-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps({"devices": run.devices}))
    _CLEANUP.append(_Unlink(path))
    return str(path)


class _Unlink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def _start_evaluators(procs: Procs, run: Run, n: int) -> list[subprocess.Popen[bytes]]:
    evaluators = [
        procs.manage(f"evaluate{i}", run.env, "em-evaluate", "--worker", f"{i}/{n}", "--wait", "0.05", "--report", "10")
        for i in range(n)
    ]
    for e in evaluators:
        procs.wait_for(e, "ready", timeout=180)
    return evaluators


def _gunicorn(procs: Procs, run: Run, workers: int, threads: int) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "openprobation.wsgi",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    server = procs.spawn("gunicorn", cmd, run.env)
    deadline = time.monotonic() + 60
    while not _port_open("127.0.0.1", port):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start:\n{procs.log_of(server)[-2000:]}")
        time.sleep(0.2)
    return server, port


def _drain(run: Run, sent: int, timeout: float) -> tuple[int, int, float]:
    """Wait until every sent fix is stored (or ``timeout``); (positions, alerts, seconds waited)."""
    t0 = time.monotonic()
    stored, alerts = run.count()
    while stored < sent and time.monotonic() - t0 < timeout:
        time.sleep(1.0)
        stored, alerts = run.count()
    return stored, alerts, time.monotonic() - t0


def _throughput(
    label: str,
    templates: dict[int, str],
    args: argparse.Namespace,
    *,
    http: bool,
) -> dict[str, Any]:
    devices = 10_000
    run = Run(templates[devices], devices)
    procs = Procs()
    try:
        evaluators = _start_evaluators(procs, run, args.evaluators)
        front: list[subprocess.Popen[bytes]] = []
        port = 0
        if http:
            server, port = _gunicorn(procs, run, args.http_workers, 4)
            front = [server]
        else:
            for k in range(args.receivers):
                shared = ["--shared"] if args.receivers > 1 else []
                rec = procs.manage(
                    f"receive{k}",
                    run.env,
                    "em-receive-mqtt",
                    "--client-id",
                    f"em-bench-{uuid.uuid4().hex[:8]}",
                    *shared,
                )
                procs.wait_for(rec, "Receiving from", timeout=120)
                front.append(rec)
            time.sleep(1.0)
        dfile = _devices_file(run)
        violators = [d["serial"] for d in run.devices[::100]]
        start = time.time() + 12.0  # payloads are built before this
        seconds = args.warmup + args.window + 2
        gens = []
        for k in range(args.generators):
            spec = {
                "devices": dfile,
                "count": devices,
                "index": k,
                "of": args.generators,
                "start": start,
                "seconds": seconds,
                "violators": violators,
                "rate": (args.http_rate if http else args.mqtt_rate) / args.generators,
                "port": port if http else MQTT_PORT[0],
                "threads": args.http_threads,
            }
            gens.append(_run_child(procs, f"gen{k}", "--_gen-http" if http else "--_gen-mqtt", spec, run.env))
        groups = {
            "load generators": [g.pid for g in gens],
            ("gunicorn (master+workers)" if http else "em-receive-mqtt"): [
                p for f in front for p in [f.pid, *_children(f.pid)]
            ],
            "em-evaluate": [e.pid for e in evaluators],
        }
        while time.time() < start + args.warmup:
            time.sleep(0.1)
        meter = CpuMeter(groups)
        meter.start()
        t1, (c1, _a) = time.monotonic(), run.count()
        time.sleep(args.window)
        t2, (c2, _a) = time.monotonic(), run.count()
        cpu = meter.stop()
        rate = (c2 - c1) / (t2 - t1)
        outcomes = [_result_of(procs, g, 120) for g in gens]
        sent = sum(o["sent"] for o in outcomes)
        stored, alerts, waited = _drain(run, sent, 60)
        rss = _rss_mb(evaluators[0].pid) if len(evaluators) == 1 else math.nan
        result = {
            "fixes_per_s": round(rate),
            "sent": sent,
            # HTTP: fixes accepted (202) per second of sending, and the latest answer behind its plan.
            "received_per_s": round(sent / max(o.get("seconds", seconds) for o in outcomes)),
            "late_s": max(o.get("behind_s", 0.0) for o in outcomes),
            "stored": stored,
            "alerts": alerts,
            "drain_s": round(waited, 1),
            "cpu_cores": cpu,
            "evaluator_rss_mb": round(rss, 1),
            "evaluator_log": procs.log_of(evaluators[0])[-600:],
        }
        result["baseline_insert_per_s"] = round(_baseline_insert(run, max(stored, 100_000)))
        return result
    finally:
        procs.stop()
        run.close()


def _baseline_insert(run: Run, rows: int) -> float:
    """A plain bulk INSERT of ``rows`` positions (the shape of the stored ones) into the same table,
    in transactions of 50,000 rows like a busy evaluator's, with no log and no evaluation."""
    import psycopg

    with psycopg.connect(f"{_pg_base()}/{run.db}") as conn:
        devices = [int(d) for (d,) in conn.execute("SELECT DISTINCT device_id FROM monitoring_position LIMIT 10000")]
        if not devices:
            devices = list(range(1, 10_001))
        base = dt.datetime.now(dt.UTC) - dt.timedelta(hours=12)
        chunk = 50_000
        columns = "device_id, fix_time, seq, received_at, assignment_id, lat, lon, accuracy_m, battery, speed, course, strap, fix, charging, flags, channel"
        sql = (
            f"INSERT INTO monitoring_position ({columns}) SELECT * FROM unnest("  # noqa: S608 - constant
            "%s::bigint[], %s::timestamptz[], %s::bigint[], %s::timestamptz[], %s::bigint[], %s::float8[], "
            "%s::float8[], %s::float8[], %s::smallint[], %s::float8[], %s::smallint[], %s::smallint[], "
            "%s::smallint[], %s::boolean[], %s::int[], %s::smallint[]) ON CONFLICT DO NOTHING"
        )
        batches = []
        for s in range(0, rows, chunk):
            n = min(chunk, rows - s)
            idx = range(s, s + n)
            dev = [devices[i % len(devices)] for i in idx]
            when = [base + dt.timedelta(seconds=15 * (i // len(devices))) for i in idx]
            seq = [-(i // len(devices)) - 2 for i in idx]  # seq < -1: never a stored fix's key
            batches.append(
                (
                    dev,
                    when,
                    seq,
                    when,
                    [None] * n,
                    [43.2] * n,
                    [76.9] * n,
                    [8.0] * n,
                    [80] * n,
                    [1.0] * n,
                    [0] * n,
                    [0] * n,
                    [0] * n,
                    [None] * n,
                    [0] * n,
                    [1] * n,
                )
            )
        t0 = time.perf_counter()
        for b in batches:
            with conn.transaction():
                conn.execute(sql, b)  # type: ignore[arg-type]
        return rows / (time.perf_counter() - t0)


def _latency(templates: dict[int, str], args: argparse.Namespace) -> dict[str, Any]:
    devices, interval = 25_000, 15.0
    run = Run(templates[devices], devices)
    procs = Procs()
    try:
        _start_evaluators(procs, run, args.evaluators)
        rec = procs.manage("receive", run.env, "em-receive-mqtt", "--client-id", f"em-bench-{uuid.uuid4().hex[:8]}")
        procs.wait_for(rec, "Receiving from", timeout=120)
        server, port = _gunicorn(procs, run, 1, 4)
        time.sleep(1.0)
        dfile = _devices_file(run)
        regional = [d["serial"] for d in run.devices if d["region"] == "ALA"]
        violators = regional[::50]  # 2 % of the region's devices
        seconds = args.latency_seconds
        start = time.time() + 12.0
        since = dt.datetime.fromtimestamp(start - 60, dt.UTC).isoformat().replace("+00:00", "Z")
        gens = [
            _run_child(
                procs,
                f"gen{k}",
                "--_gen-mqtt",
                {
                    "devices": dfile,
                    "count": devices,
                    "index": k,
                    "of": args.generators,
                    "total": devices,
                    "start": start,
                    "seconds": seconds,
                    "interval": interval,
                    "port": MQTT_PORT[0],
                    "step_out": 5.0,
                    "violators": violators,
                },
                run.env,
            )
            for k in range(args.generators)
        ]
        poller = _run_child(
            procs,
            "poll",
            "--_poll",
            {"port": port, "token": run.token, "since": since, "seconds": seconds + 20, "every": 0.05},
            run.env,
        )
        sent = sum(_result_of(procs, g, seconds + 120)["sent"] for g in gens)
        polled = _result_of(procs, poller, 60)
        stored, alerts, _w = _drain(run, sent, 20)
        lat, commit = [], []
        for first_seen, received, raised, rule in polled["seen"].values():
            if rule != "inclusion_exit" or not received:
                continue
            r = dt.datetime.fromisoformat(received.replace("Z", "+00:00")).timestamp()
            lat.append(first_seen - r)
            if raised:
                commit.append(dt.datetime.fromisoformat(raised.replace("Z", "+00:00")).timestamp() - r)
        reads = polled["reads"]
        return {
            "devices": devices,
            "fixes_per_s_offered": round(devices / interval),
            "sent": sent,
            "stored": stored,
            "alerts_total": alerts,
            "violators": len(violators),
            "alerts_seen": len(lat),
            "p50_s": _quantile(lat, 0.5),
            "p95_s": _quantile(lat, 0.95),
            "p99_s": _quantile(lat, 0.99),
            "max_s": max(lat) if lat else math.nan,
            "commit_p50_s": _quantile(commit, 0.5),
            "commit_p99_s": _quantile(commit, 0.99),
            "read_p50_s": _quantile(reads, 0.5),
            "read_p99_s": _quantile(reads, 0.99),
            "reads": len(reads),
            "read_errors": polled["errors"],
        }
    finally:
        procs.stop()
        run.close()


def _memory_baseline(templates: dict[int, str]) -> float:
    run = Run(templates[0], 0)
    procs = Procs()
    try:
        (evaluator,) = _start_evaluators(procs, run, 1)
        time.sleep(2.0)
        return _rss_mb(evaluator.pid)
    finally:
        procs.stop()
        run.close()


def _fmt(v: float, unit: str = "") -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:,.0f}{unit}"


def _ms(v: float) -> str:
    return "n/a" if v is None or math.isnan(v) else f"{v * 1000:,.0f} ms"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter windows (about half the time)")
    parser.add_argument("--evaluators", type=int, default=1, help="em-evaluate processes (default 1)")
    parser.add_argument("--receivers", type=int, default=1, help="em-receive-mqtt processes (default 1)")
    parser.add_argument("--generators", type=int, default=2, help="load processes (default 2)")
    parser.add_argument("--mqtt-rate", type=float, default=14_000, help="MQTT messages/s offered (default 14,000)")
    parser.add_argument(
        "--http-rate",
        type=float,
        default=28_000,
        help="HTTP fixes/s offered, in batches of 100 (default 28,000; 0: as fast as the server answers)",
    )
    parser.add_argument("--http-workers", type=int, default=2)
    parser.add_argument("--http-threads", type=int, default=4, help="connections per HTTP load process")
    parser.add_argument("--only", default="", help="comma list of: mqtt,http,latency,memory")
    parser.add_argument(
        "--system-broker",
        action="store_true",
        help="use the Mosquitto at 127.0.0.1:1883 as configured instead of a private one",
    )
    parser.add_argument(
        "--broker-inflight",
        type=int,
        default=None,
        help="private broker's max_inflight_messages (MQTT 3 clients only; default: not set, 20)",
    )
    parser.add_argument(
        "--broker-queued",
        type=int,
        default=BROKER_QUEUED,
        help=f"private broker's max_queued_messages (default {BROKER_QUEUED:,}, as the README advises)",
    )
    parser.add_argument(
        "--broker-defaults",
        action="store_true",
        help="private broker with Mosquitto's default limits (max_queued_messages 1,000: a backlog beyond it is dropped)",
    )
    args = parser.parse_args(argv)
    args.warmup = 8.0 if args.quick else 15.0
    args.window = 15.0 if args.quick else 30.0
    args.latency_seconds = 60.0 if args.quick else 90.0
    only = {s for s in args.only.split(",") if s} or {"mqtt", "http", "latency", "memory"}
    command = " ".join([".venv/bin/python", "bench/em_pipeline.py", *(argv if argv is not None else sys.argv[1:])])
    machine = f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    figures: dict[str, Any] = {"command": command, "machine": machine}
    print(f"EM pipeline bench — {command}\n  {machine}; load {Path('/proc/loadavg').read_text().strip()}", flush=True)
    missing = [
        name
        for name, (host, port) in {
            "PostgreSQL": ("127.0.0.1", 5432),
            "NATS": ("127.0.0.1", 4222),
            "Mosquitto": ("127.0.0.1", 1883),
        }.items()
        if not _port_open(host, port)
    ]
    if missing:
        print(f"  skipped: {', '.join(missing)} not reachable on 127.0.0.1", flush=True)
        figures["skipped"] = missing
        return figures
    atexit.register(_cleanup)
    try:
        templates = _templates([0, 10_000, 25_000])
        if not args.system_broker:
            queued = None if args.broker_defaults else args.broker_queued
            MQTT_PORT[0] = Broker(args.broker_inflight, queued).port
            figures["broker"] = "private mosquitto, " + (
                "default limits"
                if queued is None and args.broker_inflight is None
                else f"max_queued_messages {queued or 1000:,}, max_inflight_messages {args.broker_inflight or 20}"
            )
        else:
            figures["broker"] = "system mosquitto at 1883 (its own configuration)"
        print(f"  MQTT broker: {figures['broker']}", flush=True)
        if "mqtt" in only:
            m = figures["mqtt"] = _throughput("mqtt", templates, args, http=False)
            print(
                f"  2a MQTT, 1 msg/fix, {args.evaluators} evaluator(s): {_fmt(m['fixes_per_s'])} fixes/s stored   "
                f"(plain bulk INSERT {_fmt(m['baseline_insert_per_s'])}/s); sent {m['sent']:,}, stored {m['stored']:,}, "
                f"{m['alerts']} alerts; CPU cores {m['cpu_cores']}; load {Path('/proc/loadavg').read_text().strip()}",
                flush=True,
            )
        if "http" in only:
            h = figures["http"] = _throughput("http", templates, args, http=True)
            offered = f"{args.http_rate:,.0f}/s offered" if args.http_rate else "as fast as answered"
            print(
                f"  2b HTTP, batches of 100 ({offered}): {_fmt(h['fixes_per_s'])} fixes/s stored   "
                f"(plain bulk INSERT {_fmt(h['baseline_insert_per_s'])}/s); received {_fmt(h['received_per_s'])}/s "
                f"(latest answer {h['late_s']:.1f} s behind plan), sent {h['sent']:,}, stored {h['stored']:,}, "
                f"{h['alerts']} alerts; CPU cores {h['cpu_cores']}; load {Path('/proc/loadavg').read_text().strip()}",
                flush=True,
            )
        if "latency" in only:
            lt = figures["latency"] = _latency(templates, args)
            print(
                f"  3  alert latency, {lt['devices']:,} devices every 15 s: receipt->API p50 {_ms(lt['p50_s'])}, "
                f"p95 {_ms(lt['p95_s'])}, p99 {_ms(lt['p99_s'])} ({lt['alerts_seen']} alerts)   "
                f"(API read itself p50 {_ms(lt['read_p50_s'])}, p99 {_ms(lt['read_p99_s'])}); receipt->commit "
                f"p50 {_ms(lt['commit_p50_s'])}, p99 {_ms(lt['commit_p99_s'])}; sent {lt['sent']:,}, stored {lt['stored']:,}",
                flush=True,
            )
        if "memory" in only:
            empty = _memory_baseline(templates)
            loaded = figures.get("mqtt", {}).get("evaluator_rss_mb", math.nan)
            figures["memory"] = {"rss_10k_mb": loaded, "rss_empty_mb": round(empty, 1)}
            print(
                f"  4  evaluator RSS with 10,000 devices: {loaded:.0f} MB   (no devices: {empty:.0f} MB; "
                f"per 10,000 devices {loaded - empty:.0f} MB)",
                flush=True,
            )
    finally:
        _cleanup()
    rows = []
    if "mqtt" in figures:
        rows.append(
            (
                "2a MQTT fixes/s",
                figures["mqtt"]["fixes_per_s"],
                f">= {TARGET_MQTT:,.0f}",
                figures["mqtt"]["fixes_per_s"] >= TARGET_MQTT,
            )
        )
    if "http" in figures:
        rows.append(
            (
                "2b HTTP fixes/s",
                figures["http"]["fixes_per_s"],
                f">= {TARGET_HTTP:,.0f}",
                figures["http"]["fixes_per_s"] >= TARGET_HTTP,
            )
        )
    if "latency" in figures:
        p99 = figures["latency"]["p99_s"]
        rows.append(("3 alert p99 (s)", round(p99, 3), f"<= {TARGET_P99_S}", p99 <= TARGET_P99_S))
    if "memory" in figures and not math.isnan(figures["memory"]["rss_10k_mb"]):
        m = figures["memory"]
        rows.append(("4 RSS MB/10k devices", round(m["rss_10k_mb"] - m["rss_empty_mb"]), "(reported)", True))
    print("  summary:")
    for name, value, target, ok in rows:
        print(f"    {name:<24} {value!s:>12}  target {target:<10} {'PASS' if ok else 'FAIL'}")
    print(f"  load after: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    return figures


def _child_main() -> None:
    mode = sys.argv[1]
    if mode == "--_build-template":
        _build_template(int(sys.argv[2]))
    elif mode == "--_prepare":
        _prepare_run(int(sys.argv[2]), sys.argv[3])
    else:
        spec = json.loads(Path(sys.argv[2]).read_text())
        Path(sys.argv[2]).unlink(missing_ok=True)
        {"--_gen-mqtt": _gen_mqtt, "--_gen-http": _gen_http, "--_poll": _poll}[mode](spec)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--_"):
        _child_main()
    else:
        main()

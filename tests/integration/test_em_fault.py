"""Losing nothing: fixes stream over MQTT (Mosquitto) through an ``em-receive-mqtt`` process and NATS
JetStream into an ``em-evaluate`` process on PostgreSQL, while the evaluator is killed with SIGKILL
ten times (restarted each time: five times while it starts, five times at work) and PostgreSQL is
restarted once under a working evaluator. Then: fixes sent = positions stored, no duplicates, and
every scripted violation raised exactly one alert.

PostgreSQL here is a private cluster (initdb + pg_ctl on a free port, in a temporary directory,
removed at the end), so restarting it never disturbs the rest of the suite. Its database is a copy
(pg_dump) of the suite's migrated template database when the suite runs on PostgreSQL, else it is
migrated. JetStream redelivers unacknowledged entries after 5 s here (production: 30 s).
Bounded and loopback: a few devices, about a minute. Run serially (marker ``fault``); with CI=true a
missing service fails.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import free_port, port_open, require_or_skip

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.fault]

ROOT = Path(__file__).resolve().parents[2]
DEVICES = 12
FIXES = 40  # per device at least (more while the evaluator is being killed), 15 s apart in fix time
MAX_ROUNDS = 300  # fix times start this many rounds back (under the two hours since installation)
VIOLATORS = 4  # devices that leave their zone once, for 8 fixes
KILLS = 10
PARTITIONS = 4
NATS_URL = "nats://127.0.0.1:4222"
ACK_WAIT_S = 5.0  # JetStream redelivers what a killed evaluator fetched after this (production: 30 s)

SEED = """
import datetime as dt, json, sys
import django
django.setup()
from django.utils import timezone
from openprobation.monitoring.models import Assignment
from openprobation.monitoring.tests.pipeline_fixtures import monitored_device
out = []
for i in range(int(sys.argv[1])):
    a = monitored_device(f"FAULT-{i:03d}")
    Assignment.objects.filter(pk=a.pk).update(installed_at=timezone.now() - dt.timedelta(hours=2))
    out.append([a.device.serial, a.device_id, a.pk])
print(json.dumps(out))
"""


def _pg_bin() -> Path | None:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S607
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A private PostgreSQL cluster: initdb, start, restart, stop, removed at the end."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.tmp = Path(tempfile.mkdtemp(prefix="em-fault-pg-"))
        self.data = self.tmp / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.tmp, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)  # noqa: S603

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.tmp} -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.tmp / "log"), "-o", options, "-w", "start")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        time.sleep(1.0)
        self.start()

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    require_or_skip(port_open("127.0.0.1", 4222), "NATS JetStream at 127.0.0.1:4222 is not reachable")
    require_or_skip(port_open("127.0.0.1", 1883), "Mosquitto at 127.0.0.1:1883 is not reachable")
    bindir = _pg_bin()
    require_or_skip(bindir is not None, "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    assert bindir is not None
    pg = Cluster(bindir)
    try:
        pg.init()
        yield pg
    finally:
        pg.remove()


def _env(pg: Cluster, stream: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg.port}/em_fault",
            "SECRET_KEY": "fault-test-only-not-a-real-key-0123456789abcdefghij",
            "EM_NATS_URL": NATS_URL,
            "EM_NATS_STREAM": stream,
            "EM_MQTT_URL": "mqtt://127.0.0.1:1883",
            "EM_PARTITIONS": str(PARTITIONS),
            "EM_EVALUATE_IN_PROCESS": "false",
            "EM_DEMO_STREAM": "false",
            "CELERY_BROKER_URL": "",
            "LOCAL_DEVELOPMENT": "true",
            "DJANGO_SETTINGS_MODULE": "openprobation.settings",
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "openprobation", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _python(env: dict[str, str], code: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def _copy_database(source: dict[str, Any], pg: Cluster) -> bool:
    """Copy a database of the suite's server into the private one (pg_dump | psql); False when it
    cannot be dumped (a server newer than these binaries, say)."""
    env = dict(os.environ)
    if source.get("PASSWORD"):
        env["PGPASSWORD"] = str(source["PASSWORD"])
    where = ["-h", str(source.get("HOST") or "127.0.0.1"), "-p", str(source.get("PORT") or 5432)]
    dump = subprocess.run(  # noqa: S603
        [str(pg.bindir / "pg_dump"), *where, "-U", str(source.get("USER") or "postgres"), "--no-owner"]
        + ["--no-privileges", "--dbname", str(source["NAME"])],
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if dump.returncode != 0:
        return False
    load = subprocess.run(  # noqa: S603
        [str(pg.bindir / "psql"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "em_fault"]
        + ["-q", "-v", "ON_ERROR_STOP=1", "-o", os.devnull],
        input=dump.stdout,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert load.returncode == 0, load.stderr.decode(errors="replace")[-3000:]
    return True


def _counts(pg: Cluster) -> dict[str, Any]:
    """Positions stored (all and distinct by their key) and alerts by device and rule."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="em_fault", connect_timeout=10) as db:
        total, distinct = db.execute(
            "SELECT count(*), count(DISTINCT (device_id, fix_time, seq)) FROM monitoring_position"
        ).fetchone() or (0, 0)
        alerts = db.execute(
            "SELECT device_id, rule, count(*) FROM monitoring_alert GROUP BY device_id, rule"
        ).fetchall()
    return {"total": total, "distinct": distinct, "alerts": [list(r) for r in alerts]}


LOGS: list[Path] = []


def _spawn(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    log = Path(tempfile.gettempdir()) / f"em-fault-{args[0]}-{uuid.uuid4().hex[:6]}.log"
    LOGS.append(log)
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "openprobation", *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )


def _tails() -> str:
    parts = []
    for log in LOGS:
        if log.exists():
            parts.append(f"--- {log.name}\n" + log.read_text(errors="replace")[-1500:])
            log.unlink()
    LOGS.clear()
    return "\n".join(parts)


def _create_stream(stream: str) -> None:
    """The stream and the evaluators' durable consumers, made before any evaluator with an
    acknowledgement wait of ACK_WAIT_S instead of the production 30 s (an evaluator binds to the
    consumer that exists): entries a killed evaluator fetched come again within seconds, so the
    test waits less for them — and, with a live evaluator sometimes slower than that, entries
    are redelivered behind newer ones more often, which the cursor has to make harmless."""
    from django.conf import settings

    from openprobation.monitoring.pipeline import natslog

    ack_wait = natslog.ACK_WAIT_S
    natslog.ACK_WAIT_S = ACK_WAIT_S
    try:
        log = natslog.NatsLog(
            NATS_URL, stream=stream, partitions=PARTITIONS, retention_days=settings.EM_RAW_RETENTION_DAYS
        )
        try:
            for partition in range(PARTITIONS):
                log.consumer(partition).close()
        finally:
            log.close()
    finally:
        natslog.ACK_WAIT_S = ack_wait


def _delete_stream(stream: str) -> None:
    from openprobation.monitoring.pipeline.natslog import NatsLog

    log = NatsLog(NATS_URL, stream=stream, partitions=PARTITIONS, retention_days=1)
    try:
        log.delete_stream()
    finally:
        log.close()


def test_evaluator_killed_ten_times_and_postgres_restarted_loses_nothing(
    cluster: Cluster, django_db_blocker: Any
) -> None:
    import orjson
    import paho.mqtt.client as mqtt
    from django.db import connection

    phases: dict[str, float] = {}
    began = time.monotonic()
    stream = f"OP_EM_FAULT_{uuid.uuid4().hex[:8].upper()}"
    env = _env(cluster, stream)
    subprocess.run(  # noqa: S603
        [str(cluster.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "em_fault"],
        check=True,
        timeout=30,
    )
    copied = False
    if connection.vendor == "postgresql":
        # The suite's migrated template (``openprobation.testing.pg_template``): migrated once for
        # this code, usually by the parallel stage before, and copied here in a second or two.
        from openprobation.testing.pg_template import migrated_template

        with django_db_blocker.unblock(), migrated_template(connection) as source:
            copied = _copy_database(source, cluster)
    if not copied:
        _manage(env, "migrate", "--no-input", timeout=600)
    phases["schema"] = time.monotonic() - began
    _create_stream(stream)
    # The receiver starts while the devices are made (it looks a device up when its first fix comes).
    receiver = _spawn(env, "em-receive-mqtt", "--client-id", f"op-em-fault-{uuid.uuid4().hex[:6]}")
    receiver_log = LOGS[-1]
    devices = orjson.loads(_python(env, SEED, str(DEVICES)))
    phases["seed"] = time.monotonic() - began
    evaluator = _spawn(env, "em-evaluate", "--wait", "0.05", "--tick", "1")
    evaluator_log = LOGS[-1]
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"fault-sender-{uuid.uuid4().hex[:6]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    sent = 0
    try:
        # The receiver must have subscribed before anything is sent (a new session keeps nothing).
        deadline = time.monotonic() + 120
        while "Receiving from" not in receiver_log.read_text(errors="replace"):
            assert time.monotonic() < deadline and receiver.poll() is None, _tails()
            time.sleep(0.1)
        phases["receiver"] = time.monotonic() - began
        base = time.time() - MAX_ROUNDS * 15 - 60
        lat0, lon0 = 43.2389, 76.8897
        kills = killed_at_work = 0
        ready_at: int | None = None  # the round at which the running evaluator was seen ready
        restarted = False
        i = 0
        while i < FIXES or kills < KILLS:
            assert i < MAX_ROUNDS, f"{kills} kills in {i} rounds: the evaluators do not get ready\n{_tails()}"
            for index, (serial, _device_id, _assignment) in enumerate(devices):
                outside = index < VIOLATORS and 10 <= i < 18  # 2 km north for two minutes
                lat = lat0 + (2000 if outside else 20 * (i % 3)) / 111_195.0
                body = {
                    "_type": "location",
                    "lat": lat,
                    "lon": lon0,
                    "tst": int(base + 15 * i),
                    "acc": 8,
                    "batt": 90,
                    "seq": i + 1,
                    "strap": "intact",
                    "fix": "valid",
                }
                info = client.publish(f"owntracks/fault/{serial}", orjson.dumps(body), qos=1)
                info.wait_for_publish(timeout=10)
                sent += 1
            # The evaluator dies without warning and starts again: every other time while it starts
            # (partitions taken, kernels and state loading), else once it is at work (ready, and
            # handed at least one round of fixes since). Half way PostgreSQL restarts under it.
            text = evaluator_log.read_text(errors="replace")
            if ready_at is None and "ready" in text:
                ready_at = i
            at_work = ready_at is not None and i > ready_at
            starting = "evaluating partitions" in text and ready_at is None
            assert evaluator.poll() is None, f"an evaluator stopped by itself\n{_tails()}"
            if at_work and not restarted and kills == KILLS // 2:
                cluster.restart()
                restarted = True
            elif kills < KILLS and (at_work or (starting and kills % 2 == 0)):
                evaluator.send_signal(signal.SIGKILL)
                evaluator.wait(timeout=10)
                evaluator = _spawn(env, "em-evaluate", "--wait", "0.05", "--tick", "1")
                evaluator_log, ready_at = LOGS[-1], None
                kills += 1
                killed_at_work += at_work
            time.sleep(0.25)
            i += 1
        assert kills == KILLS and restarted
        assert killed_at_work >= KILLS // 2
        phases["sent"] = time.monotonic() - began

        # Everything in: positions stored = fixes sent (or give up after a minute and a half).
        deadline = time.monotonic() + 90
        counts: dict[str, Any] = {}
        while time.monotonic() < deadline:
            counts = _counts(cluster)
            if counts["total"] >= sent:
                break
            time.sleep(0.5)
        phases["stored"] = time.monotonic() - began
        time.sleep(2.0)  # nothing more comes (a duplicate would)
        counts = _counts(cluster)
    finally:
        client.loop_stop()
        client.disconnect()
        for process in (evaluator, receiver):
            process.send_signal(signal.SIGTERM)
        for process in (evaluator, receiver):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        with contextlib.suppress(Exception):  # the stream is private; a leftover only takes disk
            _delete_stream(stream)

    tails = _tails()
    print(f"schema {'copied' if copied else 'migrated'}; {killed_at_work} kills at work; {sent} fixes; {phases}")  # noqa: T201
    assert counts["total"] == sent, tails
    assert counts["distinct"] == sent
    exits = {(d, r): n for d, r, n in counts["alerts"] if r == "inclusion_exit"}
    violators = {device_id for _s, device_id, _a in devices[:VIOLATORS]}
    assert {d for d, _r in exits} == violators
    assert all(n == 1 for n in exits.values())

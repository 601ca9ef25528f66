"""Electronic-monitoring ingestion figures, each beside a baseline measured in the same run:

1. parsing: ``parse_owntracks`` on a 100-fix batch (fixes/s), beside ``orjson.loads`` of the same body;
2. HTTP: ``POST /api/v1/em/positions`` with batches of 100 through Django's test client on the
   embedded default (SqlLog on SQLite, or BENCH_DATABASE_URL), beside ``GET /healthz`` through the
   same client — requests/s and fixes/s;
3. the log: ``NatsLog.append`` of 100-fix entries (entries/s and fixes/s) against NATS
   (BENCH_NATS_URL, default nats://127.0.0.1:4222; skipped, saying so, when unreachable), beside
   ``SqlLog.append`` of the same entries;
4. with ``--url http://127.0.0.1:8000`` (a running ``openprobation run`` and a device serial/secret
   in ``--device SERIAL:SECRET``): threaded clients posting batches of 100 for ``--seconds``.

Printed, never asserted. ``python bench/em_ingest.py [--seconds S] [--url U --device S:K]``.
"""

from __future__ import annotations

import argparse
import base64
import os
import platform
import secrets
import socket
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "em_ingest.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DEBUG"] = "false"
    os.environ["LOCAL_DEVELOPMENT"] = "true"
    os.environ["EM_NATS_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _rate(work: Any, seconds: float) -> tuple[float, int]:
    """Calls of ``work`` per second over about ``seconds`` (after one warm-up call)."""
    work()
    count = 0
    start = time.perf_counter()
    while True:
        work()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed, count


def _locations(n: int, seq0: int = 0) -> list[dict[str, Any]]:
    now = int(time.time())
    return [
        {
            "_type": "location",
            "lat": 43.2383 + i * 1e-5,
            "lon": 76.9452 - i * 1e-5,
            "tst": now - n + i,
            "acc": 8,
            "batt": 80,
            "vel": 4,
            "cog": 90,
            "seq": seq0 + i,
            "strap": "intact",
            "fix": "valid",
            "tid": "em",
            "t": "u",
        }
        for i in range(n)
    ]


def _device() -> tuple[str, str]:
    from django.utils import timezone

    from openprobation.accounts.models import Office, Region
    from openprobation.cases.models import Case
    from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus
    from openprobation.monitoring.credentials import new_credential
    from openprobation.monitoring.models import Assignment, Device
    from openprobation.testing.factories import UserFactory, a_case, an_em_resolution

    case = a_case() if not Case.objects.exists() else Case.objects.first()
    assert case is not None and Office.objects.exists() and Region.objects.exists()
    secret, digest = new_credential()
    serial = f"EM-BENCH-{uuid.uuid4().hex[:6]}"
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
        installed_at=timezone.now(),
        time_zone="Asia/Almaty",
        created_by=UserFactory(office=case.office),
        resolution=an_em_resolution(case),
    )
    return serial, secret


def _load(url: str, serial: str, secret: str, seconds: float, threads: int) -> dict[str, float]:
    body = __import__("orjson").dumps(_locations(100))
    header = "Basic " + base64.b64encode(f"{serial}:{secret}".encode()).decode()
    counts = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        while time.monotonic() < stop:
            request = urllib.request.Request(  # noqa: S310 - a loopback http URL, checked in main
                url.rstrip("/") + "/api/v1/em/positions",
                data=body,
                headers={"Content-Type": "application/json", "Authorization": header},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback bench
                    answer.read()
                counts[k] += 1
            except OSError:
                errors[k] += 1

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    return {"requests_per_s": sum(counts) / elapsed, "fixes_per_s": 100 * sum(counts) / elapsed, "errors": sum(errors)}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--url", default="")
    parser.add_argument("--device", default="", help="SERIAL:SECRET of an assigned device (with --url)")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    _setup()
    import orjson
    from django.test import Client

    from openprobation.monitoring.pipeline import auth
    from openprobation.monitoring.pipeline.receive import parse_owntracks
    from openprobation.monitoring.pipeline.sqllog import SqlLog

    figures: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.processor() or platform.machine()} {os.cpu_count()} CPUs"
    }
    print(f"EM ingestion bench — {figures['machine']}, Python {platform.python_version()}")
    body = orjson.dumps(_locations(100))
    base, _n = _rate(lambda: orjson.loads(body), args.seconds)
    parse, _n = _rate(lambda: parse_owntracks(body), args.seconds)
    figures["parse_fixes_per_s"] = parse * 100
    figures["parse_baseline_orjson_fixes_per_s"] = base * 100
    print(f"  parse_owntracks, 100-fix batch: {parse * 100:>12,.0f} fixes/s   (orjson.loads alone {base * 100:,.0f})")

    serial, secret = _device()
    auth.clear_cache()
    client = Client()
    header = "Basic " + base64.b64encode(f"{serial}:{secret}".encode()).decode()

    def post() -> None:
        answer = client.post("/api/v1/em/positions", body, content_type="application/json", HTTP_AUTHORIZATION=header)
        assert answer.status_code == 202, answer.content

    health, _n = _rate(lambda: client.get("/healthz"), args.seconds)
    http, _n = _rate(post, args.seconds)
    figures["http_requests_per_s"] = http
    figures["http_fixes_per_s"] = http * 100
    figures["http_baseline_healthz_per_s"] = health
    print(
        f"  POST positions (test client, batch 100): {http:,.0f} req/s = {http * 100:,.0f} fixes/s   "
        f"(GET /healthz {health:,.0f} req/s)"
    )

    entry = __import__("openprobation.monitoring.pipeline.messages", fromlist=["encode"]).encode(
        received=time.time(),
        channel=1,
        fixes=[(1, time.time(), i, 43.2, 76.9, 8.0, 80, 4.0, 90, 0, 0, None) for i in range(100)],
    )
    sql = SqlLog(16)
    sql_rate, _n = _rate(lambda: sql.append(3, [entry]), args.seconds)
    figures["sqllog_append_entries_per_s"] = sql_rate
    nats_url = os.environ.get("BENCH_NATS_URL", "nats://127.0.0.1:4222")
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close() if "127.0.0.1" in nats_url else None
        from openprobation.monitoring.pipeline.natslog import NatsLog

        nats = NatsLog(nats_url, stream=f"OP_EM_BENCH_{uuid.uuid4().hex[:8].upper()}", partitions=16, retention_days=1)
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        print(f"  NatsLog append: skipped ({exc})   (SqlLog append {sql_rate:,.0f} entries/s)")
    else:
        try:
            one, _n = _rate(lambda: nats.append(3, [entry]), args.seconds)
            many, _n = _rate(lambda: nats.append(3, [entry] * 50), args.seconds)
        finally:
            nats.delete_stream()
            nats.close()
        figures["natslog_append_entries_per_s"] = one
        figures["natslog_append_batched_entries_per_s"] = many * 50
        print(
            f"  NatsLog append, 100-fix entries: {one:,.0f} entries/s one at a time, {many * 50:,.0f} entries/s "
            f"50 at a time (= {many * 50 * 100:,.0f} fixes/s)   (SqlLog append {sql_rate:,.0f} entries/s)"
        )

    if args.url and ":" in args.device:
        from urllib.parse import urlsplit

        target = urlsplit(args.url)
        if target.scheme != "http" or target.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("--url must be a loopback http:// address")
        d_serial, d_secret = args.device.split(":", 1)
        live = _load(args.url, d_serial, d_secret, args.seconds * 5, args.threads)
        figures["server"] = live
        print(
            f"  POST positions against {args.url} ({args.threads} threads, batch 100): "
            f"{live['requests_per_s']:,.0f} req/s = {live['fixes_per_s']:,.0f} fixes/s, {live['errors']:.0f} errors"
        )
    return figures


if __name__ == "__main__":
    main()

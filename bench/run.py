"""`make bench`: caseload and case page latency, baseline versus the large data set, in one run.

The baseline is a nearly empty database (the large organisation: offices and staff, a handful of
people and cases). Then the large population of `seed-demo --scale large` (100,000 people, 30,000
active cases) is added to the same database and the same pages are measured again. Figures are
printed, never asserted: a PASS/FAIL column compares the large p95 with the target.

Environment: BENCH_DATABASE_URL (an empty PostgreSQL database, for example) or, by default, a
fresh SQLite file under var/bench/. Options: --requests, --warmup, --people, --cases, --active.

Then bench/audit.py measures audited writes per second from 16 concurrent clients on PostgreSQL,
beside the same writes without audit (skipped, saying so, when no PostgreSQL is reachable);
--audit-only runs just that part, --no-audit leaves it out.

Then bench/workqueue.py measures the work-queue page ("Today") on PostgreSQL at the same scale with
a year of appointments (its database is built once and reused); --workqueue-only runs just that
part, --no-workqueue leaves it out.

Then bench/assess_batch.py scores 1,000,000 historical records with `assess-batch` end to end, in
rows per second, beside read+write alone and a per-row loop; --assess-only runs just that part,
--no-assess leaves it out.

Then the electronic-monitoring benchmarks (bench/em_engine.py, em_ingest.py, em_pipeline.py,
em_console.py): the rules engine's throughput on 10,000 subjects beside a per-fix Shapely loop,
parsing and the receivers, end-to-end ingest into PostgreSQL over MQTT and HTTP, alert latency at
25,000 devices and an evaluator's memory per 10,000 devices, and the monitoring console and an
alert's page at 25,000 monitored people with a month of positions (p95 against 150 ms, its
PostgreSQL database built once and reused); --em-only runs just those, --no-em leaves them out.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_P95_MS = 150.0


def _environment(args: argparse.Namespace) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DEBUG"] = "false"
    # The in-process test client speaks plain HTTP: no redirect to HTTPS, no HTTPS-only cookies.
    os.environ["LOCAL_DEVELOPMENT"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (default 20)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=45_000)
    parser.add_argument("--active", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--audit-only", action="store_true", help="only the audit throughput part")
    parser.add_argument("--no-audit", action="store_true", help="leave out the audit throughput part")
    parser.add_argument("--workqueue-only", action="store_true", help="only the work-queue part")
    parser.add_argument("--no-workqueue", action="store_true", help="leave out the work-queue part")
    parser.add_argument("--assess-only", action="store_true", help="only the batch-scoring part")
    parser.add_argument("--no-assess", action="store_true", help="leave out the batch-scoring part")
    parser.add_argument("--em-only", action="store_true", help="only the electronic-monitoring parts")
    parser.add_argument("--no-em", action="store_true", help="leave out the electronic-monitoring parts")
    args = parser.parse_args()
    if args.em_only:
        return _monitoring()
    if args.assess_only:
        return _assess_batch()
    if args.workqueue_only:
        return _workqueue()
    if args.audit_only:
        return _audit_throughput()
    status = _pages(args)
    if status:
        return status
    if not args.no_audit:
        status = _audit_throughput()
    if not args.no_workqueue:
        status = _workqueue() or status
    if not args.no_assess:
        status = _assess_batch() or status
    if args.no_em:
        return status
    return _monitoring() or status


EM_BENCHES = ("em_engine.py", "em_ingest.py", "em_pipeline.py", "em_console.py")


def _monitoring() -> int:
    """Electronic monitoring, each part in its own process: the rules engine's throughput beside a
    per-fix loop; parsing, the HTTP receiver and the logs; end-to-end ingest into PostgreSQL over MQTT
    and HTTP, alert latency at 25,000 devices and an evaluator's memory per 10,000 devices; the
    console and an alert's page at 25,000 monitored people with a month of positions."""
    status = 0
    for name in EM_BENCHES:
        script = ROOT / "bench" / name
        if not script.exists():
            continue
        print(flush=True)
        status = subprocess.call([sys.executable, str(script)], cwd=ROOT) or status
    return status


def _assess_batch() -> int:
    """In its own process: its own SQLite database and a generated file under var/bench/."""
    print(flush=True)
    return subprocess.call([sys.executable, str(ROOT / "bench" / "assess_batch.py")], cwd=ROOT)


def _audit_throughput() -> int:
    """In its own process: it sets up Django on PostgreSQL and forks its client processes."""
    print(flush=True)
    return subprocess.call([sys.executable, str(ROOT / "bench" / "audit.py")], cwd=ROOT)


def _workqueue() -> int:
    """In its own process: it sets up Django on its own PostgreSQL database."""
    print(flush=True)
    return subprocess.call([sys.executable, str(ROOT / "bench" / "workqueue.py")], cwd=ROOT)


def _pages(args: argparse.Namespace) -> int:
    url = _environment(args)

    import django

    django.setup()
    import warnings

    import pages
    from django.core.management import call_command
    from django.db import connection

    from openprobation.accounts.models import User

    warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here

    print("OpenProbation benchmark:", " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) or "bench/run.py")
    print(
        f"machine: {os.cpu_count()} CPU, {platform.platform()}, Python {platform.python_version()}, "
        f"database {connection.vendor} ({'BENCH_DATABASE_URL' if os.environ.get('BENCH_DATABASE_URL') else 'fresh SQLite file under var/bench/'})"
    )
    call_command("migrate", verbosity=0, interactive=False)
    if User.objects.exists():
        print("The benchmark database is not empty; point BENCH_DATABASE_URL at an empty database.", file=sys.stderr)
        return 2

    started = time.monotonic()
    pages.load_baseline(seed=args.seed)
    print(f"baseline loaded in {time.monotonic() - started:.1f} s: {pages.data_facts()}")
    baseline = pages.measure_all(requests=args.requests, warmup=args.warmup)

    started = time.monotonic()
    pages.load_large(seed=args.seed, people=args.people, cases=args.cases, active=args.active)
    print(f"large data set loaded in {time.monotonic() - started:.1f} s: {pages.data_facts()}")
    large = pages.measure_all(requests=args.requests, warmup=args.warmup)

    pages.print_table(baseline, large, target_ms=TARGET_P95_MS, requests=args.requests)
    pages.print_query_counts()
    del url
    return 0


if __name__ == "__main__":
    sys.exit(main())

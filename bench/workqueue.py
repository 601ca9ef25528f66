"""`make bench`, part three: the work-queue page ("Today") at 100,000 people / 30,000 active cases
with a year of appointments, on PostgreSQL.

The data set is `seed-demo --scale large` (demo/generate.py ``size_for``) plus a year of
appointments: the supervision demo generator when it is installed (``openprobation.demo.supervision``
``seed_supervision``), otherwise weekly appointments per active case inserted in bulk into
the supervision app's table when that model exists. The database is built once and reused by the
next runs (``--rebuild`` builds it again). Without an appointment model the queue is measured with
the sources that are registered, and the output says so.

Measured in the same run, p95 over N requests (in-process test client, after a warm-up):
- /today/ for the demo officer and for the head of their office;
- the baselines: the same page for an officer of the same office with no cases (the queue's fixed
  cost: scope, every source's counts, the audit event) and the caseload page of the officer;
- SQL queries per /today/ request with the page limited to 25 and to 100 items (they must be equal).

PostgreSQL only: BENCH_DATABASE_URL when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/openprobation_bench_workqueue (created when missing); otherwise
the part is skipped with a message. Options: --requests, --warmup, --people, --cases, --active,
--rebuild.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import pgbench  # noqa: E402 - beside this script

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/openprobation_bench_workqueue"
TARGET_P95_MS = 150.0
EMPTY_OFFICER = "bench-empty-queue"


def _appointment_model() -> Any:
    """The supervision app's appointment model, if it has landed."""
    from django.apps import apps

    try:
        return apps.get_model("supervision", "Appointment")
    except LookupError:
        return None


def _loaded(*, people: int, active: int) -> bool:
    from openprobation.accounts.models import User
    from openprobation.cases.models import Case, CaseStatus
    from openprobation.people.models import Person

    return (
        User.objects.filter(username="officer").exists()
        and Person.objects.count() >= people
        and Case.objects.filter(status=CaseStatus.ACTIVE).count() >= active * 0.9
    )


def _load_appointments(*, seed: int) -> str:
    """A year of appointments: the supervision demo generator, else weekly rows in bulk. Returns
    what was done, for the output."""
    model = _appointment_model()
    if model is None:
        return "no appointment model (the supervision app has not landed): sources measured as registered"
    if model.objects.exists():
        return f"{model.objects.count():,} appointments (reused)"
    from django.db import transaction

    from openprobation.core.timeutil import local_today

    try:
        from openprobation.demo import supervision as demo_supervision
    except ImportError:
        demo_supervision = None
    # The supervision demo generator: schedules and a year of appointments for every active case.
    generator = getattr(demo_supervision, "seed_supervision", None)
    if generator is not None:
        with transaction.atomic():
            generator(seed=seed, today=local_today())
        return f"{model.objects.count():,} appointments (supervision demo generator)"
    return _bulk_appointments(model, today=local_today())


def _bulk_appointments(model: Any, *, today: dt.date) -> str:
    """Weekly appointments per active case for the past year and the coming month; past ones carry
    an outcome except the last two weeks' every fifth (overdue work), the rest are still due."""
    from django.db import transaction

    from openprobation.cases.models import Case, CaseStatus
    from openprobation.core.timeutil import KZ_TZ

    fields = {f.name: f for f in model._meta.concrete_fields}
    kind_choices = [c[0] for c in (fields["kind"].choices or [])] if "kind" in fields else []
    outcome_choices = [c[0] for c in (fields["outcome"].choices or []) if c[0]] if "outcome" in fields else []
    attended = outcome_choices[0] if outcome_choices else ""
    cases = list(
        Case.objects.filter(status=CaseStatus.ACTIVE).order_by("id").values_list("id", "officer_id", "received_on")
    )
    rows: list[Any] = []
    made = 0
    with transaction.atomic():
        for case_id, officer_id, _received in cases:
            start = today - dt.timedelta(days=365) + dt.timedelta(days=case_id % 7)
            day = start
            while day <= today + dt.timedelta(days=30):
                at = dt.datetime.combine(day, dt.time(9 + case_id % 8), tzinfo=KZ_TZ)
                recent = (today - day).days < 14
                outcome = "" if day >= today or (recent and (case_id + day.toordinal()) % 5 == 0) else attended
                values: dict[str, Any] = {"case_id": case_id, "starts_at": at, "outcome": outcome}
                if "officer" in fields:
                    values["officer_id"] = officer_id
                if kind_choices:
                    values["kind"] = kind_choices[0]
                rows.append(model(**values))
                day += dt.timedelta(days=7)
            if len(rows) >= 20_000:
                model.objects.bulk_create(rows, batch_size=5000)
                made += len(rows)
                rows = []
        model.objects.bulk_create(rows, batch_size=5000)
        made += len(rows)
    return f"{made:,} appointments (bulk, weekly per active case)"


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _empty_officer() -> Any:
    from openprobation.accounts.models import Role, User

    officer = User.objects.get(username="officer")
    user, _created = User.objects.get_or_create(
        username=EMPTY_OFFICER,
        defaults={"role": Role.OFFICER, "office": officer.office, "first_name": "Bench", "last_name": "Empty"},
    )
    return user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=45_000)
    parser.add_argument("--active", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    args = parser.parse_args()

    url = pgbench.postgres_url(DEFAULT_URL, part="work queue", fresh=args.rebuild)
    if url is None:
        return 0
    pgbench.setup_django(url, LOCAL_DEVELOPMENT="true")

    import pages
    from django.core.management import call_command
    from django.urls import reverse

    from openprobation.accounts.models import User
    from openprobation.cases.models import Case
    from openprobation.core.workqueue import work_sources
    from openprobation.people.models import Person
    from openprobation.workqueue import views as queue_views

    print()
    print("Work queue (Today) on PostgreSQL")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.monotonic()
    if _loaded(people=args.people, active=args.active):
        print(f"data set reused: {Person.objects.count():,} people, {Case.objects.count():,} cases")
    else:
        if User.objects.exists():
            print("The work-queue database holds something else; run with --rebuild.", file=sys.stderr)
            return 2
        pgbench.load_large_population(
            seed=args.seed, people=args.people, cases=args.cases, active=args.active, label="bench-workqueue"
        )
        print(f"data set loaded in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    appointments = _load_appointments(seed=args.seed)
    _analyze()
    print(f"appointments: {appointments} ({time.monotonic() - started:.1f} s)")
    print(f"sources registered: {', '.join(work_sources()) or 'none'}")
    print(pages.data_facts())
    empty = _empty_officer()

    today = reverse("workqueue:today")
    caseload = reverse("cases:caseload")
    measured = [
        pages.Page("baseline: Today, officer with no cases", empty.username, lambda i: today),
        pages.Page("baseline: caseload, officer", "officer", lambda i: caseload),
        pages.Page("Today, officer", "officer", lambda i: today),
        pages.Page("Today, head of office", "head", lambda i: today),
        pages.Page("Today, head, sorted by officer", "head", lambda i: f"{today}?sort=officer"),
    ]
    results: dict[str, Any] = {}
    for page in measured:
        results[page.name] = pages.measure(page, requests=args.requests, warmup=args.warmup)
        t = results[page.name]
        print(f"  {page.name:<38} p50 {t.p50:7.1f} ms  p95 {t.p95:7.1f} ms  p99 {t.p99:7.1f} ms")

    base = results["baseline: Today, officer with no cases"].p95
    print()
    print(f"p95 over {args.requests} requests each; ratio against the empty queue in the same run")
    header = f"{'page':<38} {'p95':>9} {'ratio':>6} {'target':>9}  result"
    print(header)
    print("-" * len(header))
    for name, t in results.items():
        verdict = "PASS" if t.p95 <= TARGET_P95_MS else "FAIL"
        print(
            f"{name:<38} {t.p95:7.1f}ms {t.p95 / base:6.2f} {'≤' + format(TARGET_P95_MS, '.0f') + ' ms':>9}  {verdict}"
        )

    print()
    print("SQL queries per /today/ request (must not grow with the page size)")
    original = queue_views.PAGE_LIMIT
    print(f"{'page':<38} {'limit 25':>9} {'limit 100':>9}  items shown (25 / 100)")
    for username, label in (("officer", "Today, officer"), ("head", "Today, head of office")):
        client = pages._client(username)
        counts, shown = [], []
        for limit in (25, 100):
            queue_views.PAGE_LIMIT = limit
            # The fewest of three: sealing the audit trail after a commit sometimes finds a seal
            # another request already made (fewer queries); the page's own queries do not vary.
            counts.append(min(pages._count_queries(client, today) for _ in range(3)))
            shown.append(client.get(today).content.decode().count('id="queue-row-'))
        queue_views.PAGE_LIMIT = original
        same = "constant" if counts[0] == counts[1] else "GROWS"
        print(f"{label:<38} {counts[0]:>9} {counts[1]:>9}  {shown[0]} / {shown[1]}  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Loading the benchmark data and timing pages in-process with Django's test client."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openprobation.accounts.models import User
from openprobation.cases.models import Case, CaseStatus
from openprobation.core.timeutil import local_today
from openprobation.demo import generate as demo_data
from openprobation.people.models import Person

BASELINE = {"people": 40, "cases": 50, "active": 30}


def load_baseline(*, seed: int) -> None:
    """The large organisation (offices, staff, demo users) with a handful of people and cases,
    all in the demo officer's office so the measured pages have something to show."""
    today = local_today()
    demo_data.seed_demo(size=demo_data.size_for("large", people=0, cases=0), seed=seed, today=today)
    org = demo_data.load_org()
    officer = User.objects.get(username="officer")
    home = next(i for i, office in enumerate(org.offices) if office.pk == officer.office_id)
    office = org.offices[home]
    only_home = demo_data.Org(
        offices=[office], infos=[org.infos[home]], caseworkers={office.pk: [officer]}, heads=org.heads
    )
    with transaction.atomic(), demo_data.historic_timestamps():
        demo_data.add_population(org=only_home, seed=seed, today=today, label="bench-baseline", **BASELINE)
    _analyze()


def load_large(*, seed: int, people: int, cases: int, active: int) -> None:
    """Add the population of `seed-demo --scale large` to the same organisation."""
    from tqdm import tqdm

    with tqdm(total=people, unit="people", leave=False) as bar, transaction.atomic(), demo_data.historic_timestamps():
        demo_data.add_population(
            org=demo_data.load_org(),
            seed=seed,
            people=people,
            cases=cases,
            active=active,
            today=local_today(),
            progress=bar.update,
            label="bench-large",
        )
    _analyze()


def _analyze() -> None:
    # Production databases keep planner statistics fresh (autovacuum); do the same after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def data_facts() -> str:
    officer = User.objects.get(username="officer")
    return (
        f"{Person.objects.count():,} people, {Case.objects.count():,} cases "
        f"({Case.objects.filter(status=CaseStatus.ACTIVE).count():,} active); "
        f"office {officer.office.code if officer.office else '-'}: "
        f"{Case.objects.filter(office_id=officer.office_id).count():,} cases, "
        f"officer 'officer': {Case.objects.filter(officer=officer).count():,} cases "
        f"({Case.objects.filter(officer=officer, status__in=('awaiting_registration', 'registered', 'active', 'suspended', 'wanted')).count():,} open)"
    )


@dataclass
class Page:
    name: str
    username: str
    url: Callable[[int], str]  # request number -> URL


def pages() -> list[Page]:
    officer = User.objects.get(username="officer")
    own = list(
        Case.objects.filter(officer=officer, status=CaseStatus.ACTIVE).order_by("id").values_list("pk", flat=True)[:50]
    )
    caseload = reverse("cases:caseload")
    return [
        Page("caseload, officer (own open cases)", "officer", lambda i: caseload),
        Page("caseload, head of office ?open=1", "head", lambda i: f"{caseload}?open=1"),
        Page("case page, officer", "officer", lambda i: reverse("cases:detail", args=[own[i % len(own)]])),
    ]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Timing:
    p50: float
    p95: float
    p99: float
    mean: float


def measure(page: Page, *, requests: int, warmup: int) -> Timing:
    client = _client(page.username)
    for i in range(warmup):
        _get(client, page.url(i))
    times = []
    for i in range(requests):
        url = page.url(i)
        started = time.perf_counter()
        _get(client, url)
        times.append((time.perf_counter() - started) * 1000)
    return Timing(
        p50=percentile(times, 50), p95=percentile(times, 95), p99=percentile(times, 99), mean=statistics.fmean(times)
    )


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}; the benchmark needs the page to work.")
    return response


def measure_all(*, requests: int, warmup: int) -> dict[str, Timing]:
    out = {}
    for page in pages():
        out[page.name] = measure(page, requests=requests, warmup=warmup)
        t = out[page.name]
        print(f"  {page.name:<38} p50 {t.p50:7.1f} ms  p95 {t.p95:7.1f} ms  p99 {t.p99:7.1f} ms")
    return out


def print_table(baseline: dict[str, Timing], large: dict[str, Timing], *, target_ms: float, requests: int) -> None:
    print()
    print(f"p95 over {requests} requests each (in-process test client, after warm-up)")
    header = f"{'page':<38} {'baseline p95':>12} {'large p95':>10} {'ratio':>6} {'target':>9}  result"
    print(header)
    print("-" * len(header))
    for name, base in baseline.items():
        big = large[name]
        verdict = "PASS" if big.p95 <= target_ms else "FAIL"
        print(
            f"{name:<38} {base.p95:10.1f}ms {big.p95:8.1f}ms {big.p95 / base.p95:6.2f} {'≤' + format(target_ms, '.0f') + ' ms':>9}  {verdict}"
        )


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _get(client, url)
    return len(ctx.captured_queries)


def print_query_counts() -> None:
    """SQL queries per caseload page for page sizes 10 / 25 / 50 (they must not grow with the page)."""
    from openprobation.cases import views

    caseload = reverse("cases:caseload")
    print()
    print("SQL queries per request (must not grow with the page size or the page number)")
    sizes = (10, 25, 50)
    original = getattr(views, "PAGE_SIZE", None)
    print(f"{'page':<38} " + " ".join(f"{f'size {s}':>8}" for s in sizes) + f" {'page 2':>8} {'page 3':>8}")
    for username, label, url in (
        ("officer", "caseload, officer", caseload),
        ("head", "caseload, head ?open=1", f"{caseload}?open=1"),
    ):
        client = _client(username)
        counts = []
        for size in sizes:
            if original is not None:
                views.PAGE_SIZE = size  # the view's page size, set for this measurement only
            counts.append(_count_queries(client, url))
        if original is not None:
            views.PAGE_SIZE = original
        sep = "&" if "?" in url else "?"
        later = [_count_queries(client, f"{url}{sep}page={n}") for n in (2, 3)]
        print(f"{label:<38} " + " ".join(f"{c:>8}" for c in counts) + " " + " ".join(f"{c:>8}" for c in later))
    officer = User.objects.get(username="officer")
    client = _client("officer")
    detail_counts = [
        _count_queries(client, reverse("cases:detail", args=[pk]))
        for pk in Case.objects.filter(officer=officer).order_by("-id").values_list("pk", flat=True)[:3]
    ]
    print(f"{'case page, officer (3 different cases)':<38} " + " ".join(f"{c:>8}" for c in detail_counts))
    if original is None:
        print("(the caseload view has no PAGE_SIZE setting; page sizes could not be varied)")

"""What the PostgreSQL benchmarks share: their database (BENCH_DATABASE_URL when it is PostgreSQL,
else their own, created when missing, dropped first on request), Django set up on it for the
in-process test client, and the population of ``seed-demo --scale large`` added to it."""

from __future__ import annotations

import os
import secrets
import warnings


def postgres_url(default_url: str, *, part: str, fresh: bool = False) -> str | None:
    """The database to measure on; ``fresh`` drops the default one first. None (after saying
    "SKIPPED" for ``part``) when no PostgreSQL answers."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        return url
    import psycopg

    base, _, name = default_url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"{part}: SKIPPED — no PostgreSQL reachable at {base}/ ({' '.join(str(exc).split())[:100]})")
        return None
    return default_url


def setup_django(url: str, **environment: str) -> None:
    """Django on ``url`` for the in-process test client (plain HTTP, no debug), with ``environment``."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openprobation.settings"
    os.environ.update(environment)
    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here


def load_large_population(*, seed: int, people: int, cases: int, active: int, label: str) -> None:
    """The large organisation (made once) and ``people`` people with their cases added to it."""
    from django.db import transaction
    from tqdm import tqdm

    from openprobation.accounts.models import User
    from openprobation.core.timeutil import local_today
    from openprobation.demo import generate as demo_data

    today = local_today()
    if not User.objects.filter(username="officer").exists():
        demo_data.seed_demo(size=demo_data.size_for("large", people=0, cases=0), seed=seed, today=today)
    with tqdm(total=people, unit="people", leave=False) as bar, transaction.atomic(), demo_data.historic_timestamps():
        demo_data.add_population(
            org=demo_data.load_org(),
            seed=seed,
            people=people,
            cases=cases,
            active=active,
            today=today,
            progress=bar.update,
            label=label,
        )

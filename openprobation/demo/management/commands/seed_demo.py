"""``openprobation seed-demo``: believable national demo data, deterministic by seed."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from openprobation.accounts.models import User
from openprobation.core.timeutil import local_today
from openprobation.demo import generate as demo_data
from openprobation.demo.credentials import DEMO_USERNAMES


class Command(BaseCommand):
    help = (
        "Fill an empty database with demo data: regions, offices, staff (one demo login per role), "
        "people and cases. --scale large builds 100,000 people and 30,000 active cases for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2016, help="Random seed (same seed, same data).")
        parser.add_argument("--scale", choices=sorted(demo_data.SCALES), default="default")
        parser.add_argument("--people", type=int, help="Number of people (overrides the scale).")
        parser.add_argument("--cases", type=int, help="Number of cases (overrides the scale; at most 2 per person).")
        parser.add_argument("--active", type=int, help="How many of the cases are active (default: the scale's share).")
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Reference date YYYY-MM-DD for case dates (default: today)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if existing:
            self.stdout.write("Demo data is already loaded (demo users exist); nothing to do.")
            return
        if User.objects.exists():
            raise CommandError(
                "This database already holds staff accounts that are not demo users; "
                "seed-demo only fills an empty database and will not mix demo data with real data."
            )
        for name in ("people", "cases", "active"):
            if options[name] is not None and options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        size = demo_data.size_for(
            options["scale"], people=options["people"], cases=options["cases"], active=options["active"]
        )
        today = options["today"] or local_today()
        started = time.monotonic()
        show = options["scale"] == "large" or options["verbosity"] > 1
        with tqdm(total=size.people, unit="people", disable=not show, file=sys.stderr) as bar:
            summary = demo_data.seed_demo(size=size, seed=options["seed"], today=today, progress=bar.update)
        took = time.monotonic() - started
        self.stdout.write(
            f"Demo data loaded in {took:.1f} s (seed {options['seed']}): {summary.offices} offices, "
            f"{summary.staff} staff, {summary.people} people, {summary.cases} cases "
            f"({summary.statuses.get('active', 0)} active, {summary.transfers} transferred between offices)."
        )
        self.stdout.write("Log in with `openprobation demo-logins` to see the demo users.")

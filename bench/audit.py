"""`make bench`, part two: audited writes per second from concurrent clients on PostgreSQL.

Each client is its own process with its own database connection. An action is a real audited
service write: ``person_update`` (the scoping check, validation, the row update and one audit
event in one transaction), each client on its own person. The same actions run twice in the same
run: without the audit event (``audit_record`` replaced by nothing) and with it (the keyed event,
sealed in batches by the sealer each commit runs), and both rates are printed with their ratio;
nothing is asserted. Afterwards the trail, with the checkpoint signed before the audited run, must
verify with every event sealed; the number and sizes of the seals are printed.

PostgreSQL only (the chain's concurrency is PostgreSQL's in production): BENCH_DATABASE_URL when it
is PostgreSQL, else postgres://postgres@127.0.0.1:5432/openprobation_bench_audit (re-created) if
reachable; otherwise the part is skipped with a message. Options: --clients, --seconds, --warmup.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import pgbench  # noqa: E402 - beside this script

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/openprobation_bench_audit"
TARGET_PER_SECOND = 1000.0


def _setup_django(url: str, checkpoint_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["AUDIT_CHAIN_KEY"] = os.environ.get("BENCH_AUDIT_CHAIN_KEY") or secrets.token_urlsafe(48)
    os.environ["AUDIT_CHECKPOINT_DIR"] = checkpoint_dir
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openprobation.settings"
    import django

    django.setup()


def _prepare(clients: int) -> tuple[int, list[int]]:
    """An office, its officer and one person per client (so clients never wait on each other's row)."""
    import datetime as dt

    from openprobation.accounts.models import Role
    from openprobation.people.services import person_create
    from openprobation.testing.factories import OfficeFactory, UserFactory

    office = OfficeFactory(code="BA1")
    officer = UserFactory(username="bench-officer", role=Role.OFFICER, office=office)
    people = [
        person_create(
            actor=officer,
            office=office,
            data={"surname": "Бенч", "first_name": "Клиент", "birth_date": dt.date(1990, 1, 1 + n % 28), "sex": "M"},
        ).pk
        for n in range(clients)
    ]
    return officer.pk, people


def _person_update(officer: Any, person: Any, phone: str) -> None:
    """The whole service: scoping check, validation, the row update and its audit event."""
    import openprobation.people.services as people_services

    people_services.person_update(actor=officer, person=person, data={"phone": phone})


def _small_write(officer: Any, person: Any, phone: str) -> None:
    """The smallest audited write: one row updated and its audit event, in one transaction."""
    from django.db import transaction

    import openprobation.people.services as people_services
    from openprobation.people.models import Person

    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(phone=phone)
        people_services.audit_record(
            actor=officer, action="person.update", subject=person, changes={"phone": [person.phone, phone]}
        )
    person.phone = phone


ACTIONS = {"write": _small_write, "person-update": _person_update}


def _client(  # noqa: PLR0917 (a process target takes its arguments by position)
    officer_id: int,
    person_id: int,
    action: str,
    audited: bool,
    start: Any,
    warmup: float,
    seconds: float,
    out: Any,
) -> None:
    """One client process: update its person in a loop; counts the actions finished in the window."""
    from django.db import connection

    import openprobation.people.services as people_services
    from openprobation.accounts.models import User
    from openprobation.people.models import Person

    connection.close()  # never share the parent's connection
    if not audited:
        people_services.audit_record = lambda **kwargs: None  # type: ignore[assignment]
    officer = User.objects.get(pk=officer_id)
    person = Person.objects.get(pk=person_id)
    act = ACTIONS[action]
    start.wait()
    begin = time.monotonic()
    count_from, end = begin + warmup, begin + warmup + seconds
    done, n = 0, 0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        n += 1
        act(officer, person, f"+7 701 {person_id:03d} {n:05d}")
        if time.monotonic() >= count_from and now >= count_from:
            done += 1
    out.put(done)
    connection.close()


def _measure(officer_id: int, people: list[int], *, action: str, audited: bool, warmup: float, seconds: float) -> float:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    start = ctx.Barrier(len(people) + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_client, args=(officer_id, pid, action, audited, start, warmup, seconds, out))
        for pid in people
    ]
    for proc in procs:
        proc.start()
    start.wait()
    total = sum(out.get() for _ in procs)
    for proc in procs:
        proc.join()
    return total / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per mode (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)")
    parser.add_argument(
        "--actions", nargs="+", choices=sorted(ACTIONS), default=["write", "person-update"], help="what a client does"
    )
    args = parser.parse_args(argv)
    url = pgbench.postgres_url(DEFAULT_URL, part="audit throughput", fresh=True)
    if url is None:
        return 0
    checkpoint_dir = tempfile.mkdtemp(prefix="bench-audit-checkpoints-")
    _setup_django(url, checkpoint_dir)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from openprobation.audit.keys import new_signing_key_pem
    from openprobation.audit.models import AuditEvent, AuditSeal
    from openprobation.audit.services import audit_checkpoint, audit_verify

    settings.AUDIT_CHECKPOINT_SIGNING_KEY = new_signing_key_pem()
    call_command("migrate", verbosity=0, interactive=False)
    if AuditEvent.objects.exists():
        print("audit throughput: the database is not empty; point BENCH_DATABASE_URL at an empty one.", file=sys.stderr)
        return 2
    officer_id, people = _prepare(args.clients)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit'), version()")
        sync, version = cursor.fetchone()
    print(
        f"audit throughput: {args.clients} client processes, {args.seconds:g} s per figure after {args.warmup:g} s "
        f"warm-up; {version.split(' on ')[0]}, synchronous_commit={sync}, {os.cpu_count()} CPU"
    )
    audit_checkpoint()
    before = AuditEvent.objects.count()
    print(f"{'action':60}{'without audit':>14}{'with audit':>12}{'ratio':>7}")
    for action in args.actions:
        timing = {"warmup": args.warmup, "seconds": args.seconds}
        plain = _measure(officer_id, people, action=action, audited=False, **timing)
        audited = _measure(officer_id, people, action=action, audited=True, **timing)
        label = f"{action}: {(ACTIONS[action].__doc__ or '').strip()}"[:58]
        ratio = audited / plain if plain else 0.0
        print(f"{label:60}{plain:>12.0f}/s{audited:>10.0f}/s{ratio:>7.2f}")
    print(f"target: >= {TARGET_PER_SECOND:.0f} audited actions/s with the chain intact (printed, not asserted)")
    events = AuditEvent.objects.count() - before
    sizes = sorted(AuditSeal.objects.values_list("count", flat=True))
    unsealed_before_verify = AuditEvent.objects.count() - sum(sizes)
    if sizes:
        print(
            f"seals written during the run: {len(sizes)}, events per seal: median {sizes[len(sizes) // 2]}, "
            f"mean {sum(sizes) / len(sizes):.1f}, max {sizes[-1]}; not sealed when the clients stopped: "
            f"{unsealed_before_verify}"
        )
    started = time.monotonic()
    result = audit_verify()
    took = time.monotonic() - started
    shutil.rmtree(checkpoint_dir, ignore_errors=True)
    state = "intact" if result.ok and not result.pending else "BROKEN: " + "; ".join(result.problems[:5])
    print(
        f"audit-verify after the run: chain {state} — {result.checked} events ({events} written by the run), "
        f"{result.seals} seals, {result.pending} pending, {result.checkpoints} checkpoint(s), {took:.1f} s"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

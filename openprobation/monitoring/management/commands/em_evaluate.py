"""`openprobation em-evaluate`: an evaluator worker (production: N of them share the log's partitions)."""

from __future__ import annotations

import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openprobation.monitoring import partitions
from openprobation.monitoring.pipeline.evaluator import Evaluator, parse_partitions, partitions_of_worker


class Command(BaseCommand):
    # A long-running worker restarted by its supervisor: the system checks (seconds of imports)
    # are for `check` and the web server, not for every restart.
    requires_system_checks: list[str] = []
    help = (
        "Evaluate the electronic-monitoring log: consume partitions, judge the rules, store positions, "
        "alerts and device state, acknowledge after commit. --worker I/N takes the partitions p with "
        "p % N == I; --partitions 0-7 names them. On PostgreSQL a second worker for a partition waits."
    )

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--worker", help="I/N: this is worker I (from 0) of N")
        group.add_argument("--partitions", help="partitions to evaluate, e.g. 0-7 or 0,2,4")
        parser.add_argument("--batch", type=int, default=2000, help="log entries per fetch (default 2000)")
        parser.add_argument("--wait", type=float, default=0.1, help="seconds a fetch waits for entries")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between clock rule runs")
        parser.add_argument("--report", type=float, default=30.0, help="seconds between throughput log lines")

    def handle(self, *args: Any, **options: Any) -> None:
        from openprobation.monitoring.pipeline.logs import get_log  # noqa: PLC0415

        count = int(settings.EM_PARTITIONS)
        try:
            if options["worker"]:
                index, _slash, workers = str(options["worker"]).partition("/")
                numbers = partitions_of_worker(int(index), int(workers), count)
            elif options["partitions"]:
                numbers = parse_partitions(options["partitions"], count)
            else:
                numbers = list(range(count))
        except ValueError as exc:
            raise CommandError(f"--worker I/N or --partitions: {exc}") from exc
        if options["batch"] < 1 or options["wait"] < 0 or options["tick"] <= 0:
            raise CommandError("--batch must be positive, --wait not negative, --tick positive")
        logging.getLogger("openprobation.monitoring.evaluator").setLevel(logging.INFO)
        created = partitions.ensure_partitions()
        if created:
            self.stdout.write(f"position partitions created: {', '.join(created)}")
        em_log = get_log()
        evaluator = Evaluator(
            em_log,
            numbers,
            max_entries=options["batch"],
            fetch_wait_s=options["wait"],
            tick_s=options["tick"],
            report_s=options["report"],
        )

        def shutdown(signum: int, _frame: Any) -> None:
            evaluator.stop()

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        self.stdout.write(f"evaluating partitions {','.join(map(str, numbers))} of {count}")
        self.stdout.flush()
        evaluator.start()
        self.stdout.write("ready")
        self.stdout.flush()
        try:
            evaluator.run()
        finally:
            em_log.close()
        self.stdout.write("stopped")

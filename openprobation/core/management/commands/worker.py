from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from openprobation.celery_app import app
from openprobation.core.scheduler import run_forever


class Command(BaseCommand):
    help = "Run background jobs: a Celery worker with beat when CELERY_BROKER_URL is set, else the embedded scheduler."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.CELERY_BROKER_URL:
            app.worker_main(["worker", "--beat", "--loglevel=INFO", f"--concurrency={options['concurrency']}"])
            return
        stop = threading.Event()
        try:
            run_forever(stop)
        except KeyboardInterrupt:
            stop.set()

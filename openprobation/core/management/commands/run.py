from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from openprobation.core.background import start_all
from openprobation.core.scheduler import start_in_thread


class Command(BaseCommand):
    help = (
        "Serve the web application, run the background worker (in-process without a broker) and the "
        "registered background services (core.background)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        child = None
        if settings.CELERY_BROKER_URL:
            child = subprocess.Popen([sys.executable, "-m", "openprobation", "worker"])  # noqa: S603
        else:
            start_in_thread()
        stops = start_all(addrport=options["addrport"])
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            for stop in stops:
                stop()
            if child is not None:
                child.terminate()

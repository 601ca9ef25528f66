from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from openprobation.notifications.selectors import outbox_status


class Command(BaseCommand):
    help = "Counts of the notification outbox by status and channel, the oldest due message and the transports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object (for monitoring)")

    def handle(self, *args: Any, **options: Any) -> None:
        status = outbox_status(now=timezone.now())
        if options["json"]:
            self.stdout.write(json.dumps(status, sort_keys=True))
            return
        self.stdout.write(f"transports: sms={settings.NOTIFY_SMS_TRANSPORT} email={settings.NOTIFY_EMAIL_TRANSPORT}")
        for name, count in status["by_status"].items():
            self.stdout.write(f"{name:8} {count}")
        self.stdout.write(f"due now  {status['due']}")
        if status["oldest_due_seconds"] is not None:
            self.stdout.write(f"oldest due message waits {status['oldest_due_seconds']} s")
        if status["stale_sending"]:
            self.stdout.write(self.style.WARNING(f"{status['stale_sending']} message(s) stuck in 'sending'"))
        if status["by_status"].get("dead"):
            self.stdout.write(self.style.WARNING("dead messages need a person: see the case pages"))

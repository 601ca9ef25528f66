"""``openprobation em-receive-mqtt``: the MQTT receiver (``monitoring.pipeline.mqtt``) until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from openprobation.monitoring.pipeline.logs import close_log
from openprobation.monitoring.pipeline.mqtt import MqttReceiver


class Command(BaseCommand):
    help = (
        "Receive OwnTracks messages from the MQTT broker (owntracks/<subject>/<device>) into the "
        "monitoring log. Several receivers share the load with --shared."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="", help="Broker, mqtt://[user:password@]host:port (default EM_MQTT_URL).")
        parser.add_argument(
            "--shared", action="store_true", help="Subscribe as a member of the shared group $share/op-em."
        )
        parser.add_argument(
            "--client-id",
            default="op-em-receiver",
            help="MQTT client id; the broker keeps this session's messages while the receiver restarts.",
        )
        parser.add_argument("--duration", type=float, default=None, help="Stop after this many seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] or settings.EM_MQTT_URL or "mqtt://127.0.0.1:1883"
        receiver = MqttReceiver(url, shared=options["shared"], client_id=options["client_id"])
        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        receiver.start()
        self.stdout.write(f"Receiving from {url.split('@')[-1]} ({receiver.topic}).")
        try:
            stopping.wait(options["duration"])
        finally:
            receiver.stop()
            close_log()
        s = receiver.stats
        self.stdout.write(
            f"Received {s.received} messages: {s.fixes} fixes, {s.refused} refused, "
            f"{s.unknown_device} from devices that may not report, {s.last_wills} last wills."
        )

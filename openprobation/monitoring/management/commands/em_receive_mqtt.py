"""``openprobation em-receive-mqtt``: the MQTT receiver (``monitoring.pipeline.mqtt``) until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from openprobation.monitoring.pipeline.logs import close_log
from openprobation.monitoring.pipeline.mqtt import RECEIVE_MAXIMUM, SESSION_EXPIRY_S, MqttReceiver


class Command(BaseCommand):
    # A long-running worker restarted by its supervisor: the system checks (seconds of imports)
    # are for `check` and the web server, not for every restart.
    requires_system_checks: list[str] = []
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
            help="MQTT client id, one per receiver; the broker keeps this session's messages while the receiver "
            "restarts.",
        )
        parser.add_argument(
            "--receive-maximum",
            type=int,
            default=RECEIVE_MAXIMUM,
            help=f"Messages the broker may send before they are acknowledged (MQTT 5; default {RECEIVE_MAXIMUM}).",
        )
        parser.add_argument(
            "--session-expiry",
            type=int,
            default=SESSION_EXPIRY_S,
            help=f"Seconds the broker keeps the session after a disconnection (default {SESSION_EXPIRY_S}).",
        )
        parser.add_argument(
            "--leave",
            action="store_true",
            help="When stopping, unsubscribe, drain and end the session: a --shared receiver retired for good.",
        )
        parser.add_argument("--duration", type=float, default=None, help="Stop after this many seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"] or settings.EM_MQTT_URL or "mqtt://127.0.0.1:1883"
        receiver = MqttReceiver(
            url,
            shared=options["shared"],
            client_id=options["client_id"],
            receive_maximum=options["receive_maximum"],
            session_expiry_s=options["session_expiry"],
        )
        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        receiver.start()
        try:
            if not receiver.subscribed.wait(30):
                self.stderr.write(f"Not subscribed yet at {url.split('@')[-1]}; still trying.")
            self.stdout.write(f"Receiving from {url.split('@')[-1]} ({receiver.topic}).")
            stopping.wait(options["duration"])
        finally:
            receiver.stop(leave=options["leave"])
            close_log()
        s = receiver.stats
        self.stdout.write(
            f"Received {s.received} messages: {s.fixes} fixes, {s.refused} refused, "
            f"{s.unknown_device} from devices that may not report, {s.last_wills} last wills; "
            f"the broker reported {s.broker_dropped} dropped."
        )

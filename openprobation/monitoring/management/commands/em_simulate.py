"""``openprobation em-simulate``: drive simulated monitored devices against the local server."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openprobation.monitoring.simulator.fleet import MAX_DEVICES, fleet_prepare
from openprobation.monitoring.simulator.run import MAX_DURATION_S, Plan, run, simulation_for
from openprobation.monitoring.simulator.senders import HttpSender, MqttSender, NotLoopback, Sender


class Command(BaseCommand):
    help = (
        "Stream believable traces of simulated monitored people (home, work and errands on street "
        "points of Almaty, Astana and Shymkent; curfews mostly kept; a share of violations, tamper, "
        "battery and signal loss) to this machine's receiver over HTTP or MQTT. Makes or reuses the "
        "devices, assignments and zones, with fresh credentials kept in memory for the run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--devices", type=int, default=100, help=f"Simulated devices (1–{MAX_DEVICES}).")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between a device's fixes.")
        parser.add_argument("--duration", type=float, default=60.0, help="Seconds to run (at most 24 h).")
        parser.add_argument(
            "--violations", type=float, default=0.05, help="Share of person-days with a scripted violation (0–1)."
        )
        parser.add_argument("--target", choices=["http", "mqtt"], default="http")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The local web server (HTTP target).")
        parser.add_argument("--mqtt-url", default="mqtt://127.0.0.1:1883", help="The local MQTT broker.")
        parser.add_argument("--speedup", type=float, default=1.0, help="Simulated seconds per wall-clock second.")
        parser.add_argument("--threads", type=int, default=4, help="HTTP connections in parallel.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same traces).")
        parser.add_argument("--prefix", default="SIM", help="Serial prefix of the simulated devices.")

    def handle(self, *args: Any, **options: Any) -> None:
        devices = options["devices"]
        if not 1 <= devices <= MAX_DEVICES:
            raise CommandError(f"--devices must be between 1 and {MAX_DEVICES}.")
        if not 0 <= options["violations"] <= 1:
            raise CommandError("--violations is a share between 0 and 1.")
        if not 1 <= options["threads"] <= 64:
            raise CommandError("--threads must be between 1 and 64.")
        prefix = options["prefix"]
        if not (prefix.isascii() and prefix.isalnum() and len(prefix) <= 16):
            raise CommandError("--prefix must be up to 16 ASCII letters or digits.")
        try:
            plan = Plan(interval=options["interval"], duration=options["duration"], speedup=options["speedup"])
        except ValueError as exc:
            raise CommandError(f"{exc} (the longest run is {MAX_DURATION_S / 3600:.0f} h).") from exc
        target = options["target"]
        try:
            if target == "http":
                HttpSender(options["url"]).close()  # refuse a non-local target before touching the database
            else:
                from openprobation.monitoring.simulator.senders import loopback_url  # noqa: PLC0415

                loopback_url(options["mqtt_url"], schemes=("mqtt", "tcp"))
        except NotLoopback as exc:
            raise CommandError(str(exc)) from exc

        started = time.monotonic()
        fleet = fleet_prepare(count=devices, seed=options["seed"], prefix=prefix)
        self.stdout.write(
            f"{len(fleet.devices)} devices ready ({fleet.created} made, {fleet.reused} reused) "
            f"in {time.monotonic() - started:.1f} s; sending over {target.upper()} every {plan.interval:g} s "
            f"for {plan.duration:g} s."
        )
        sender: Sender
        try:
            sender = (
                HttpSender(options["url"], threads=options["threads"])
                if target == "http"
                else MqttSender(options["mqtt_url"], fleet.devices)
            )
        except (OSError, NotLoopback) as exc:
            raise CommandError(f"Cannot reach the {target.upper()} target: {exc}") from exc
        simulation = simulation_for(
            fleet, seed=options["seed"], start=time.time(), plan=plan, violations=options["violations"]
        )
        began = time.monotonic()
        try:
            elapsed = run(fleet=fleet, simulation=simulation, sender=sender, plan=plan)
        except KeyboardInterrupt:
            elapsed = time.monotonic() - began
        finally:
            sender.close()
        tally = sender.tally
        rate = tally.sent / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            f"Sent {tally.sent} fixes in {tally.requests} {'requests' if target == 'http' else 'messages'} "
            f"over {elapsed:.1f} s ({rate:.0f}/s): {tally.accepted} accepted, {tally.refused} refused, "
            f"{tally.failed} not delivered."
        )

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openprobation.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the keyed audit chain and every signed checkpoint outside the database; exits non-zero "
        "if a row was edited, inserted or deleted, the chain was shortened or rewritten, or a checkpoint is forged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--public-keys",
            metavar="FILE",
            help="PEM file of the checkpoint public keys to trust (default: AUDIT_CHECKPOINT_PUBLIC_KEYS, "
            "else the public half of the signing key)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bundle = None
        if options.get("public_keys"):
            try:
                bundle = Path(options["public_keys"]).read_text(encoding="ascii")
            except OSError as exc:
                raise CommandError(f"{options['public_keys']}: {exc}") from exc
        result = audit_verify(public_keys=bundle)
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {result.checked} events verified, {result.checkpoints} checkpoints."
                )
            )
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"Audit chain BROKEN: {len(result.problems)} problem(s) in {result.checked} events.")

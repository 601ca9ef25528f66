from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openprobation.audit.keys import AuditKeyError, public_pem, signing_key
from openprobation.audit.services import CheckpointRefused, audit_checkpoint


class Command(BaseCommand):
    help = (
        "Write a signed checkpoint of the audit chain head to AUDIT_CHECKPOINT_DIR (outside the database), "
        "after verifying the events since the previous checkpoint."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--print-public-key",
            action="store_true",
            help="only print the public key of the signing key (PEM), for auditors to keep",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["print_public_key"]:
                private = signing_key()
                if private is None:
                    raise CommandError("No checkpoint signing key: set AUDIT_CHECKPOINT_SIGNING_KEY_FILE.")
                self.stdout.write(public_pem(private.public_key()), ending="")
                return
            path = audit_checkpoint()
        except (CheckpointRefused, AuditKeyError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Audit checkpoint written: {path}"))

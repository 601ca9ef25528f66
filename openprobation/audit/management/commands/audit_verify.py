from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openprobation.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain; exits non-zero if a row was edited or deleted."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events verified."))
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(f"Audit chain BROKEN: {len(result.problems)} problem(s) in {result.checked} events.")

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openprobation.accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create or update one group per role with the permissions declared in code."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Synced {sync_roles()} roles.")

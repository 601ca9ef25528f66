from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openprobation.rules.rulebook import rulebook_load


class Command(BaseCommand):
    help = "Load the rulebook shipped with the code (adds missing rule versions, keeps existing ones)."

    def handle(self, *args: Any, **options: Any) -> None:
        created, kept = rulebook_load()
        self.stdout.write(f"Rulebook: {created} rule version(s) added, {kept} already present.")

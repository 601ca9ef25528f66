from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openprobation.accounts.models import Role, User
from openprobation.demo.credentials import DEMO_PASSWORD, DEMO_USERNAMES


class Command(BaseCommand):
    help = "Print the demo users (one per role) created by seed-demo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="where the service answers")

    def handle(self, *args: Any, **options: Any) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("office")}
        if not users:
            self.stdout.write("No demo users: run `openprobation seed-demo`.")
            return
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username in DEMO_USERNAMES:
            user = users.get(username)
            if user is None:
                continue
            where = user.office.code if user.office else (user.region.code if user.region else "national")
            self.stdout.write(f"  {username:<16} {Role(user.role).label:<28} {where}")
        self.stdout.write(f"Open http://{options['addr']}/")
        self.stdout.write("")

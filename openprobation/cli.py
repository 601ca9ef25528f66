"""The `openprobation` command: Django's management commands, with hyphenated aliases
(`openprobation seed-demo`, `openprobation audit-verify`)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    # Django reads DJANGO_SETTINGS_MODULE when it loads, so it is imported only once that is set.
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    argv = list(sys.argv)
    argv[0] = "openprobation"
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

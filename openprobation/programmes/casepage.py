"""What the programmes app adds to a case's pages (overview facts, a section, actions) and to the
work queue. Filled in by the programme pages."""

from __future__ import annotations


def register() -> None:
    """Called from ``ProgrammesConfig.ready``."""

"""Domain exceptions: services raise them, views and the API turn them into translated messages."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused the operation. ``message`` is already translatable text."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class PermissionDeniedError(DomainError):
    """The actor may see the object but not do this to it."""

    def __init__(self, message: str | Promise, *, code: str = "forbidden"):
        super().__init__(message, code=code)


class TransitionError(DomainError):
    """An illegal move in a declared lifecycle."""

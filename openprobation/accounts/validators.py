"""Password validators of our own (settings ``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotCurrentPasswordValidator:
    """Refuses the user's current password as the new one. Being a password validator, it applies
    on every path that validates a new password: the own change page, the admin forms, services."""

    def validate(self, password: str, user: Any = None) -> None:
        encoded = getattr(user, "password", "") or ""
        if not encoded or not getattr(user, "has_usable_password", lambda: False)():
            return
        # hashers.check_password, not user.check_password: validating must never re-save the hash.
        if check_password(password, encoded):
            raise ValidationError(
                _("The new password must differ from your current password."), code="password_unchanged"
            )

    def get_help_text(self) -> str:
        return _("Your new password must differ from your current password.")

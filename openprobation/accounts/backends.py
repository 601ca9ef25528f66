"""Permissions follow the role declared in code, not group membership that could drift."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from openprobation.accounts.roles import ADMIN_MODEL_PERMS, ROLE_CAPS


class RoleBackend(ModelBackend):
    """Django's model backend, with the role's permissions in place of group permissions."""

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        role = getattr(user_obj, "role", "")
        perms = {f"accounts.cap_{cap.value}" for cap in ROLE_CAPS.get(role, frozenset())}
        return perms | set(ADMIN_MODEL_PERMS.get(role, []))

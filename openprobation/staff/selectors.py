"""Reading staff accounts for their administration (system administrators only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.core.exceptions import PermissionDeniedError
from openprobation.staff.services import staff_may_administer


def staff_qs_for_admin(actor: Any) -> QuerySet[User]:
    """Every staff account with its placement, for a system administrator; refused for anyone else."""
    if not staff_may_administer(actor):
        raise PermissionDeniedError(_("Only a system administrator may administer staff accounts."))
    return (
        User.objects.select_related("office", "region").prefetch_related("monitored_regions").order_by("username", "id")
    )

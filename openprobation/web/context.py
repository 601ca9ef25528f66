from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openprobation.accounts.roles import Cap, has_cap
from openprobation.volunteers.selectors import may_read_registry


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation bar may offer the signed-in user."""
    user = request.user
    return {
        "nav": {
            "cases": has_cap(user, Cap.CASE_VIEW),
            # The work queue: staff who carry cases or manage a caseload (``workqueue.selectors``).
            "today": has_cap(user, Cap.CASE_CARRY) or has_cap(user, Cap.OFFICE_CASELOAD),
            "people": has_cap(user, Cap.CASE_VIEW),
            "person_create": has_cap(user, Cap.PERSON_CREATE),
            "office_caseload": has_cap(user, Cap.OFFICE_CASELOAD),
            "volunteers": may_read_registry(user),
            "audit": has_cap(user, Cap.AUDIT_VIEW),
            "analysis": has_cap(user, Cap.INSTRUMENT_ANALYSIS),
            "admin": has_cap(user, Cap.ADMIN_SITE),
            # Referrals to partner organisations: the office's list, and the partner portal.
            "referrals": has_cap(user, Cap.CASE_VIEW),
            "partner_portal": has_cap(user, Cap.PARTNER_PORTAL),
        }
    }

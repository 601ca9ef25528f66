from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.roles import Cap, has_cap
from openprobation.web.access import Route, Target, access_table, allows

# The lists of social and legal assistance, in the menu's "Assistance" group: each offered to whom
# the access table lets open it (``web.access``), so the menu and the answers cannot disagree.
ASSISTANCE_LINKS: list[tuple[str, Any]] = [
    ("programmes:referral_list", _("Referrals to partners")),
    ("programmes:organisation_list", _("Partner organisations")),
    ("programmes:capacity", _("Capacity against need")),
    ("employment:figures", _("Employment figures")),
    ("employment:district", _("Employers and job quotas")),
    ("releases:list", _("Release plans")),
    ("releases:arriving", _("Arriving from prison")),
    ("volunteers:list", _("Volunteers and mentors")),
]


@cache
def _table() -> dict[str, Route]:
    """The access table, built once (it is declared in code and does not change while running)."""
    return access_table()


def assistance_links(user: Any) -> list[tuple[str, str]]:
    """(address, label) of the assistance lists the user may open."""
    if not getattr(user, "is_authenticated", False):
        return []
    table = _table()
    links = []
    for name, label in ASSISTANCE_LINKS:
        rule = table[name].rule("GET")
        if name == "employment:district":
            # The user's own district: office staff only.
            office = getattr(user, "office", None)
            if office is not None and allows(rule, user, Target(office=office)):
                links.append((reverse(name, kwargs={"pk": office.pk}), str(label)))
        elif allows(rule, user):
            links.append((reverse(name), str(label)))
    return links


def may_open(user: Any, name: str) -> bool:
    """May the user open the page ``name`` (a page naming no record) by the access table?"""
    return bool(getattr(user, "is_authenticated", False)) and allows(_table()[name].rule("GET"), user)


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
            "audit": has_cap(user, Cap.AUDIT_VIEW),
            "analysis": has_cap(user, Cap.INSTRUMENT_ANALYSIS),
            "admin": has_cap(user, Cap.ADMIN_SITE),
            # The partner portal: referrals sent to the partner's organisation.
            "partner_portal": has_cap(user, Cap.PARTNER_PORTAL),
            "assistance": assistance_links(user),
            # Electronic monitoring: the console (operators, and staff who see monitoring in their
            # jurisdiction), the device inventory and the health of the devices in use.
            "em_console": may_open(user, "monitoring:console"),
            "em_devices": may_open(user, "monitoring:devices"),
            "em_health": may_open(user, "monitoring:health"),
        }
    }

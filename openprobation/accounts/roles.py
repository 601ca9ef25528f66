"""Roles and what each may do, declared in code and synced to Django groups and permissions.

The permission map fails closed: a capability not listed for a role is refused.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Role, User


class Cap(StrEnum):
    """A capability. Jurisdiction (office/region/national) is checked separately, in scoping."""

    CASE_VIEW = "case_view"
    PERSON_CREATE = "person_create"
    PERSON_EDIT = "person_edit"
    CASE_OPEN = "case_open"
    CASE_EDIT_OWN = "case_edit_own"
    CASE_EDIT_ANY = "case_edit_any"
    CASE_CARRY = "case_carry"
    CASE_ALLOCATE = "case_allocate"
    CASE_TRANSFER = "case_transfer"
    OFFICE_CASELOAD = "office_caseload"
    STATS_VIEW = "stats_view"
    AUDIT_VIEW = "audit_view"
    ADMIN_SITE = "admin_site"
    LEVEL_COUNTERSIGN = "level_countersign"
    INSTRUMENT_ANALYSIS = "instrument_analysis"
    PARTNER_PORTAL = "partner_portal"
    EM_VIEW = "em_view"
    EM_ZONES = "em_zones"
    EM_ASSIGN = "em_assign"
    EM_DEVICES = "em_devices"


CAP_LABELS: dict[Cap, Any] = {
    Cap.CASE_VIEW: _("See people and cases in own jurisdiction"),
    Cap.PERSON_CREATE: _("Register a person"),
    Cap.PERSON_EDIT: _("Edit a person's details"),
    Cap.CASE_OPEN: _("Open a case"),
    Cap.CASE_EDIT_OWN: _("Work on cases allocated to me"),
    Cap.CASE_EDIT_ANY: _("Work on any case of the jurisdiction"),
    Cap.CASE_CARRY: _("Carry a caseload (cases may be allocated to me)"),
    Cap.CASE_ALLOCATE: _("Allocate cases to officers"),
    Cap.CASE_TRANSFER: _("Transfer cases to another office"),
    Cap.OFFICE_CASELOAD: _("See the office caseload per officer"),
    Cap.STATS_VIEW: _("See statistics"),
    Cap.AUDIT_VIEW: _("Read the audit log"),
    Cap.ADMIN_SITE: _("Administer reference data and the rulebook"),
    Cap.LEVEL_COUNTERSIGN: _("Countersign an officer's override of a supervision level"),
    Cap.INSTRUMENT_ANALYSIS: _("Validate assessment instruments on uploaded files"),
    Cap.PARTNER_PORTAL: _("Answer the referrals sent to my organisation (partner portal)"),
    Cap.EM_VIEW: _("See electronic monitoring: devices, zones, alerts and tracks"),
    Cap.EM_ZONES: _("Set zones, curfews and permissions of a monitored case"),
    Cap.EM_ASSIGN: _("Fit a monitoring device to a case and remove it"),
    Cap.EM_DEVICES: _("Manage the stock of monitoring devices"),
}

_OFFICER = {Cap.CASE_VIEW, Cap.PERSON_CREATE, Cap.PERSON_EDIT, Cap.CASE_OPEN, Cap.CASE_EDIT_OWN}

ROLE_CAPS: dict[str, frozenset[Cap]] = {
    Role.OFFICER: frozenset(_OFFICER | {Cap.CASE_CARRY, Cap.EM_VIEW, Cap.EM_ZONES}),
    Role.SENIOR_OFFICER: frozenset(
        _OFFICER
        | {
            Cap.CASE_CARRY,
            Cap.CASE_EDIT_ANY,
            Cap.CASE_ALLOCATE,
            Cap.OFFICE_CASELOAD,
            Cap.EM_VIEW,
            Cap.EM_ZONES,
            Cap.EM_ASSIGN,
        }
    ),
    Role.HEAD_OF_OFFICE: frozenset(
        _OFFICER
        | {
            Cap.CASE_EDIT_ANY,
            Cap.CASE_ALLOCATE,
            Cap.CASE_TRANSFER,
            Cap.OFFICE_CASELOAD,
            Cap.STATS_VIEW,
            Cap.LEVEL_COUNTERSIGN,
            Cap.EM_VIEW,
            Cap.EM_ZONES,
            Cap.EM_ASSIGN,
            Cap.EM_DEVICES,
        }
    ),
    Role.REGIONAL_ADMIN: frozenset(
        {
            Cap.CASE_VIEW,
            Cap.PERSON_EDIT,
            Cap.CASE_EDIT_ANY,
            Cap.CASE_ALLOCATE,
            Cap.CASE_TRANSFER,
            Cap.OFFICE_CASELOAD,
            Cap.STATS_VIEW,
            Cap.LEVEL_COUNTERSIGN,
            Cap.EM_VIEW,
            Cap.EM_DEVICES,
        }
    ),
    # Operators of the monitoring centre see the people under electronic monitoring in the regions
    # they monitor (a relationship registered by the monitoring app), never other cases.
    Role.MONITORING_OPERATOR: frozenset({Cap.EM_VIEW}),
    # Partner staff see only the referrals sent to their organisation, through the partner portal
    # (never a case or person page: they hold no CASE_VIEW).
    Role.PARTNER_STAFF: frozenset({Cap.PARTNER_PORTAL}),
    Role.COURT_LIAISON: frozenset({Cap.CASE_VIEW, Cap.PERSON_CREATE, Cap.CASE_OPEN}),
    Role.ANALYST: frozenset({Cap.STATS_VIEW, Cap.INSTRUMENT_ANALYSIS}),
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    Role.SYSTEM_ADMIN: frozenset({Cap.ADMIN_SITE}),
}

# Django model permissions the admin site needs, per role (only the system administrator uses it).
ADMIN_MODEL_PERMS: dict[str, list[str]] = {
    Role.SYSTEM_ADMIN: [
        "accounts.view_region",
        "accounts.add_region",
        "accounts.change_region",
        "accounts.view_office",
        "accounts.add_office",
        "accounts.change_office",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "rules.view_rule",
        "rules.add_rule",
        "rules.change_rule",
        "conditions.view_conditiondefinition",
        "conditions.add_conditiondefinition",
        "conditions.change_conditiondefinition",
        "assessments.view_instrument",
        "assessments.add_instrument",
        "assessments.change_instrument",
        "programmes.view_partnerstaff",
        "programmes.add_partnerstaff",
        "programmes.change_partnerstaff",
        "programmes.view_partnerorganisation",
    ],
}


def has_cap(user: Any, cap: Cap) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return cap in ROLE_CAPS.get(getattr(user, "role", ""), frozenset())


def roles_with(cap: Cap) -> list[str]:
    """The roles that hold ``cap`` (for querying staff by what they may do)."""
    return sorted(role for role, caps in ROLE_CAPS.items() if cap in caps)


def carries_cases(user: Any) -> bool:
    """May cases be allocated to this member of staff? One rule for the page, the API and the
    office caseload: active staff whose role carries a caseload."""
    return has_cap(user, Cap.CASE_CARRY)


def sync_roles() -> int:
    """Create one group per role with its capability and admin permissions. Returns groups synced."""
    user_ct = ContentType.objects.get_for_model(User)
    cap_perms = {}
    for cap in Cap:
        perm, _created = Permission.objects.update_or_create(
            content_type=user_ct, codename=f"cap_{cap.value}", defaults={"name": str(CAP_LABELS[cap])[:255]}
        )
        cap_perms[cap] = perm
    for role in Role:
        group, _created = Group.objects.get_or_create(name=f"role:{role.value}")
        perms = [cap_perms[c] for c in sorted(ROLE_CAPS[role])]
        for dotted in ADMIN_MODEL_PERMS.get(role, []):
            app_label, codename = dotted.split(".")
            admin_perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if admin_perm is not None:
                perms.append(admin_perm)
        group.permissions.set(perms)
    return len(Role)


def sync_roles_after_migrate(**kwargs: Any) -> None:
    sync_roles()

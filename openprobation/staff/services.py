"""Administering staff accounts: the only way a user's role, placement, activity or password changes.

Each change is one audited service call (old → new in the event; a password never, nor its hash).
Only the system administrator (``Cap.ADMIN_SITE``) administers staff, and nobody changes their own
role, placement (office, region, regions monitored) or activity: a second administrator must, so
one compromised account cannot widen its own reach. A placement must match the level the role
works at (``accounts.models.ROLE_PLACEMENT``). Users change their own password here too (with the
old one), so the password validators and the audit apply alike.

This app sits beside ``rules`` above ``audit``: ``accounts`` holds the model and cannot import the
audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, Region, Role, User, placement_error
from openprobation.accounts.roles import ROLE_CAPS, Cap, has_cap
from openprobation.audit.services import audit_record, diff
from openprobation.core.exceptions import DomainError, PermissionDeniedError

# What the services set, besides the password. ``is_staff`` (the admin-site flag) follows the role.
STAFF_FIELDS = ["username", "first_name", "last_name", "patronymic", "email", "language", "role", "office", "region"]
ACCESS_FIELDS = ["role", "office", "region", "monitored_regions", "is_active"]
SETTABLE = frozenset(STAFF_FIELDS) | frozenset(ACCESS_FIELDS)
AUDITED = [*STAFF_FIELDS, "monitored_regions", "is_active", "is_staff"]


def staff_may_administer(actor: Any) -> bool:
    return has_cap(actor, Cap.ADMIN_SITE)


def _require_administrator(actor: Any) -> None:
    if not staff_may_administer(actor):
        raise PermissionDeniedError(_("Only a system administrator may administer staff accounts."))


def _pk(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value.pk if hasattr(value, "pk") else value)


def _pks(values: Iterable[Any] | None) -> list[int]:
    return sorted({int(v.pk if hasattr(v, "pk") else v) for v in values or []})


def _current(user: User | None) -> dict[str, Any]:
    if user is None or user.pk is None:
        return {
            "role": Role.OFFICER,
            "office": None,
            "region": None,
            "monitored_regions": [],
            "is_active": True,
        }
    return {
        "role": user.role,
        "office": user.office_id,
        "region": user.region_id,
        "monitored_regions": _pks(user.monitored_regions.all()),
        "is_active": user.is_active,
    }


def _normalised(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - SETTABLE
    if unknown:
        raise ValueError(f"not a staff field: {sorted(unknown)}")
    out = dict(values)
    for key in ("office", "region"):
        if key in out:
            out[key] = _pk(out[key])
    if "monitored_regions" in out:
        out["monitored_regions"] = _pks(out["monitored_regions"])
    if "is_active" in out:
        out["is_active"] = bool(out["is_active"])
    return out


def staff_check(*, actor: Any, user: User | None, values: Mapping[str, Any]) -> None:
    """Refuse what may not be done (raises ``DomainError`` naming the field); changes nothing.

    Forms call it while validating so that nothing is saved; the services call it again inside
    their transaction."""
    _require_administrator(actor)
    new = _normalised(values)
    now = _current(user)
    if user is not None and user.pk is not None and user.pk == getattr(actor, "pk", None):
        for field in ACCESS_FIELDS:
            if field in new and new[field] != now[field]:
                raise PermissionDeniedError(
                    _(
                        "You cannot change your own role, placement or activity: "
                        "another system administrator must do it."
                    ),
                    code="own_access",
                )
    after = {**now, **{k: v for k, v in new.items() if k in now}}
    if after["role"] not in Role.values:
        raise DomainError(_("Choose a role from the list."), field="role")
    error = placement_error(role=after["role"], office_id=after["office"], region_id=after["region"])
    if error:
        raise DomainError(
            error, field="office" if after["office"] or not after["region"] else "region", code="placement"
        )
    if after["monitored_regions"] and after["role"] != Role.MONITORING_OPERATOR:
        raise DomainError(
            _("Only monitoring operators watch regions: leave the regions monitored empty for this role."),
            field="monitored_regions",
            code="placement",
        )
    if after["office"] is not None and not Office.objects.filter(pk=after["office"]).exists():
        raise DomainError(_("No such office."), field="office")
    if after["region"] is not None and not Region.objects.filter(pk=after["region"]).exists():
        raise DomainError(_("No such region."), field="region")
    if len(after["monitored_regions"]) != Region.objects.filter(pk__in=after["monitored_regions"]).count():
        raise DomainError(_("No such region."), field="monitored_regions")


def _snapshot(user: User) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in AUDITED:
        if field == "monitored_regions":
            out[field] = _pks(user.monitored_regions.all()) if user.pk else []
        elif field in ("office", "region"):
            out[field] = getattr(user, f"{field}_id")
        else:
            out[field] = getattr(user, field)
    return out


def _apply(user: User, values: Mapping[str, Any]) -> None:
    for field, value in values.items():
        if field in ("office", "region"):
            setattr(user, f"{field}_id", value)
        elif field != "monitored_regions":
            setattr(user, field, value)
    # The admin site opens to the role that administers (it checks the capability as well).
    user.is_staff = Cap.ADMIN_SITE in ROLE_CAPS.get(user.role, frozenset())


def _password_error(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(str(m) for m in error.messages), field="password") from error


def staff_create(*, actor: Any, values: Mapping[str, Any], password: str | None) -> User:
    """A new member of staff, placed where their role works. ``password=None`` leaves the account
    without a usable password (it signs in once one is set)."""
    new = _normalised(values)
    with transaction.atomic():
        staff_check(actor=actor, user=None, values=new)
        if not new.get("username"):
            raise DomainError(_("Give the user name."), field="username")
        if User.objects.filter(username=new["username"]).exists():
            raise DomainError(_("A user with that user name already exists."), field="username")
        user = User(role=Role.OFFICER)
        _apply(user, new)
        if password is None:
            user.set_unusable_password()
        else:
            _password_error(password, user)
            user.set_password(password)
        user.save()
        if new.get("monitored_regions"):
            user.monitored_regions.set(new["monitored_regions"])
        after = _snapshot(user)
        audit_record(
            actor=actor,
            action="staff.create",
            subject=user,
            changes=diff({}, after),
            details={"password": "set" if password is not None else "unusable"},
        )
    return user


def staff_update(*, actor: Any, user: User, values: Mapping[str, Any]) -> User:
    """Change a member of staff: names, language, role, placement, activity. One audit event with
    each changed field old → new; none when nothing changed."""
    new = _normalised(values)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        staff_check(actor=actor, user=locked, values=new)
        if new.get("username", locked.username) != locked.username and (
            User.objects.filter(username=new["username"]).exclude(pk=locked.pk).exists()
        ):
            raise DomainError(_("A user with that user name already exists."), field="username")
        before = _snapshot(locked)
        _apply(locked, new)
        locked.save()
        if "monitored_regions" in new:
            locked.monitored_regions.set(new["monitored_regions"])
        changes = diff(before, _snapshot(locked))
        if changes:
            audit_record(actor=actor, action="staff.update", subject=locked, changes=changes)
    return locked


def staff_password_set(*, actor: Any, user: User, password: str | None, old_password: str | None = None) -> User:
    """Set a password (``None``: disable password sign-in). Users change their own, giving the old
    one; a system administrator sets anyone else's. The configured validators apply. The event says
    the password changed — never the password or its hash."""
    own = getattr(actor, "pk", None) is not None and actor.pk == user.pk
    if own:
        if not getattr(actor, "is_active", False):
            raise PermissionDeniedError(_("Only a system administrator may administer staff accounts."))
    else:
        _require_administrator(actor)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if own and (old_password is None or not locked.check_password(old_password)):
            raise DomainError(
                _("Your old password was entered incorrectly. Please enter it again."), field="old_password"
            )
        if password is None:
            if own:
                raise DomainError(_("Give the new password."), field="password")
            locked.set_unusable_password()
        else:
            _password_error(password, locked)
            locked.set_password(password)
        locked.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="auth.password_change" if own else "staff.password_set",
            subject=locked,
            details={"password": "changed" if password is not None else "unusable"},
        )
    # The caller keeps its copy in step (a session's auth hash is derived from the password).
    user.password = locked.password
    return user

"""Zones, curfews and one-off permissions of an assignment. Every change of a zone writes a new
version in force from a moment on (never in the past: what the engine judged stays judged) and
closes the previous one; every change writes a ``ConfigRevision`` so the evaluators recompile the
assignment. Officers on their own cases, senior officers and heads (``Cap.EM_ZONES``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.monitoring import selectors
from openprobation.monitoring.catalogue import ZoneKind
from openprobation.monitoring.models import Assignment, ScheduleException, Zone, ZoneVersion
from openprobation.monitoring.services.common import moment, not_past, revise, text
from openprobation.monitoring.zones import check_buffer, check_geometry, check_windows

MAX_EXCEPTION = dt.timedelta(days=31)
_UNSET: Any = object()


def _authorize(actor: User, assignment: Assignment) -> None:
    if not selectors.may_set_zones(actor, assignment.case):
        raise PermissionDeniedError(_("You may not change the zones of this case."))


def _locked_assignment(actor: User, assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().select_related("case", "case__office").get(pk=assignment.pk)
    _authorize(actor, locked)
    if locked.removed_at is not None:
        raise DomainError(_("The assignment has ended: its zones no longer change."), code="ended")
    return locked


def _version_values(version: ZoneVersion) -> dict[str, Any]:
    return {
        "geometry": version.geometry,
        "radius_m": version.radius_m,
        "buffer_m": version.buffer_m,
        "windows": version.windows,
        "valid_from": version.valid_from,
    }


@dataclass
class ZoneShape:
    """A zone's shape and schedule as sent (checked by ``zones``)."""

    geometry: Any
    radius_m: Any = None
    buffer_m: Any = 0
    windows: Any = None


def _checked(shape: ZoneShape) -> dict[str, Any]:
    geometry, radius = check_geometry(shape.geometry, radius_m=shape.radius_m)
    return {
        "geometry": geometry,
        "radius_m": radius,
        "buffer_m": check_buffer(shape.buffer_m),
        "windows": check_windows(shape.windows or []),
    }


def zone_create(
    *,
    actor: User,
    assignment: Assignment,
    kind: str,
    name: str,
    shape: ZoneShape,
    valid_from: dt.datetime | None = None,
    reason: str = "",
) -> Zone:
    """A new zone of an assignment: inclusion, home (the curfew is its windows), exclusion, or a
    victim's place; version 1 in force from ``valid_from`` (default now)."""
    if kind not in ZoneKind.values:
        raise DomainError(_("Choose the kind of zone."), field="kind")
    name = text(name, field="name", required=True, limit=200, message=_("Name the zone."))
    reason = text(reason, field="reason", required=False, limit=2000)
    values = _checked(shape)
    now = timezone.now()
    start = not_past(valid_from, field="valid_from", now=now)
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        zone = Zone.objects.create(assignment=locked, kind=kind, name=name, created_by=actor)
        version = ZoneVersion.objects.create(
            zone=zone, number=1, valid_from=start, changed_by=actor, reason=reason, **values
        )
        revise(locked)
        audit_record(
            actor=actor,
            action="monitoring.zone.create",
            subject=zone,
            changes={"kind": [None, kind], "name": [None, name], **{k: [None, v] for k, v in values.items()}},
            details={"assignment": locked.pk, "case": locked.case_id, "version": version.number, "from": start},
        )
    return zone


def zone_change(
    *,
    actor: User,
    zone: Zone,
    geometry: Any = _UNSET,
    radius_m: Any = _UNSET,
    buffer_m: Any = _UNSET,
    windows: Any = _UNSET,
    name: str | None = None,
    valid_from: dt.datetime | None = None,
    reason: str = "",
    action: str = "monitoring.zone.change",
) -> ZoneVersion:
    """A new version of the zone from ``valid_from`` (default now) on: what is not given stays as
    in the latest version. The previous version ends where the new one starts."""
    reason = text(reason, field="reason", required=False, limit=2000)
    now = timezone.now()
    start = not_past(valid_from, field="valid_from", now=now)
    with transaction.atomic():
        locked_zone = Zone.objects.select_for_update().get(pk=zone.pk)
        assignment = _locked_assignment(actor, locked_zone.assignment)
        if locked_zone.retired_at is not None:
            raise DomainError(_("The zone has been retired."), code="retired")
        latest = ZoneVersion.objects.filter(zone=locked_zone).order_by("-number").first()
        if latest is None:  # pragma: no cover - a zone is created with its first version
            raise DomainError(_("The zone has no version."))
        before = _version_values(latest)
        shape = ZoneShape(
            geometry=before["geometry"] if geometry is _UNSET else geometry,
            radius_m=(before["radius_m"] if geometry is _UNSET else None) if radius_m is _UNSET else radius_m,
            buffer_m=before["buffer_m"] if buffer_m is _UNSET else buffer_m,
            windows=before["windows"] if windows is _UNSET else windows,
        )
        values = _checked(shape)
        new_name = text(name, field="name", required=True, limit=200) if name is not None else locked_zone.name
        changes = {k: [before[k], v] for k, v in values.items() if before[k] != v}
        if new_name != locked_zone.name:
            changes["name"] = [locked_zone.name, new_name]
        if not changes:
            raise DomainError(_("Nothing changes."), code="no_change")
        if start < latest.valid_from:
            raise DomainError(
                _("The change must take effect after the version now in force starts."), field="valid_from"
            )
        if start == latest.valid_from:
            # Replacing a version that has not yet judged any fix would leave an empty interval.
            raise DomainError(_("Another change takes effect at that very moment."), field="valid_from")
        ZoneVersion.objects.filter(pk=latest.pk).update(valid_to=start)
        version = ZoneVersion.objects.create(
            zone=locked_zone, number=latest.number + 1, valid_from=start, changed_by=actor, reason=reason, **values
        )
        if new_name != locked_zone.name:
            locked_zone.name = new_name
            locked_zone.save(update_fields=["name", "updated_at"])
        revise(assignment)
        audit_record(
            actor=actor,
            action=action,
            subject=locked_zone,
            changes=changes,
            details={"assignment": assignment.pk, "version": version.number, "from": start, "reason": reason},
        )
    return version


def zone_set_schedule(
    *, actor: User, zone: Zone, windows: Any, valid_from: dt.datetime | None = None, reason: str = ""
) -> ZoneVersion:
    """The zone's weekly windows (a home zone's curfew) change from ``valid_from`` on: a new version."""
    return zone_change(
        actor=actor,
        zone=zone,
        windows=windows if windows is not None else [],
        valid_from=valid_from,
        reason=reason,
        action="monitoring.zone.schedule",
    )


def zone_retire(*, actor: User, zone: Zone, reason: str, at: dt.datetime | None = None) -> Zone:
    """The zone no longer applies from ``at`` (default now): its last version ends then."""
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for the change."))
    now = timezone.now()
    end = not_past(at, field="at", now=now)
    with transaction.atomic():
        locked_zone = Zone.objects.select_for_update().get(pk=zone.pk)
        assignment = _locked_assignment(actor, locked_zone.assignment)
        if locked_zone.retired_at is not None:
            raise DomainError(_("The zone has been retired."), code="retired")
        latest = ZoneVersion.objects.filter(zone=locked_zone).order_by("-number").first()
        if latest is not None:
            if end <= latest.valid_from:
                raise DomainError(_("The zone cannot end before its latest version starts."), field="at")
            ZoneVersion.objects.filter(pk=latest.pk).update(valid_to=end)
        locked_zone.retired_at = end
        locked_zone.save(update_fields=["retired_at", "updated_at"])
        revise(assignment)
        audit_record(
            actor=actor,
            action="monitoring.zone.retire",
            subject=locked_zone,
            changes={"retired_at": [None, end]},
            details={"assignment": assignment.pk, "reason": reason},
        )
    return locked_zone


# --- One-off permissions -------------------------------------------------------------------------------


def exception_create(
    *,
    actor: User,
    assignment: Assignment,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    zone: Zone | None = None,
) -> ScheduleException:
    """A one-off permission (to be away during a curfew, to pass through a zone): the zone — or,
    with none, every home zone's curfew — is not judged from ``starts_at`` until ``ends_at`` (at
    most 31 days, not ending in the past)."""
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for the permission."))
    starts = moment(starts_at, field="starts_at")
    ends = moment(ends_at, field="ends_at")
    now = timezone.now()
    if ends <= starts:
        raise DomainError(_("The permission must end after it starts."), field="ends_at")
    if ends - starts > MAX_EXCEPTION:
        raise DomainError(_("A permission may last at most 31 days."), field="ends_at")
    if ends < now:
        raise DomainError(_("The permission cannot end in the past."), field="ends_at")
    if starts > now + dt.timedelta(days=366):
        raise DomainError(_("The permission cannot start more than a year ahead."), field="starts_at")
    with transaction.atomic():
        locked = _locked_assignment(actor, assignment)
        if zone is not None and (zone.assignment_id != locked.pk or zone.retired_at is not None):
            raise DomainError(_("Choose a zone of this assignment."), field="zone")
        exception = ScheduleException.objects.create(
            assignment=locked, zone=zone, starts_at=starts, ends_at=ends, reason=reason, created_by=actor
        )
        revise(locked)
        audit_record(
            actor=actor,
            action="monitoring.exception.create",
            subject=exception,
            changes={"starts_at": [None, starts], "ends_at": [None, ends]},
            details={"assignment": locked.pk, "zone": zone.pk if zone else None, "reason": reason},
        )
    return exception


def exception_cancel(*, actor: User, exception: ScheduleException, reason: str = "") -> ScheduleException:
    """Withdraw a permission: from now on the zone is judged again."""
    reason = text(reason, field="reason", required=False, limit=2000)
    with transaction.atomic():
        locked = ScheduleException.objects.select_for_update().get(pk=exception.pk)
        assignment = _locked_assignment(actor, locked.assignment)
        if locked.cancelled_at is not None:
            raise DomainError(_("The permission has already been cancelled."), code="cancelled")
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["cancelled_at", "updated_at"])
        revise(assignment)
        audit_record(
            actor=actor,
            action="monitoring.exception.cancel",
            subject=locked,
            changes={"cancelled_at": [None, locked.cancelled_at]},
            details={"assignment": assignment.pk, "reason": reason},
        )
    return locked

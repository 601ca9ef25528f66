"""Fitting a device to a case and taking it off (Order 511 para. 140: electronic monitoring by
resolution of the head of the service). Senior officers and heads (``Cap.EM_ASSIGN``), on a case
of their jurisdiction that is open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.monitoring import selectors
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus, Rule
from openprobation.monitoring.models import (
    Assignment,
    Device,
    DeviceStatusChange,
    ScheduleException,
    Zone,
    ZoneVersion,
)
from openprobation.monitoring.services.common import recent_past, revise, text
from openprobation.monitoring.services.lifecycle import DEVICE_LIFECYCLE

MIN_PROXIMITY_M = 50
MAX_PROXIMITY_M = 50_000
# What a device may become when its assignment ends.
END_STATUSES = (DeviceStatus.IN_STOCK, DeviceStatus.IN_REPAIR, DeviceStatus.LOST)


def _move_device(actor: User, device: Device, to_status: str, reason: str) -> None:
    """The device's status moves with the assignment: a history row, no audit event of its own
    (the assignment's event names it)."""
    DEVICE_LIFECYCLE.check(device.status, to_status)
    DeviceStatusChange.objects.create(
        device=device,
        from_status=device.status,
        to_status=to_status,
        reason=reason,
        effective_on=local_today(),
        changed_by=actor,
    )
    device.status = to_status
    device.save(update_fields=["status", "updated_at"])


def _rules(values: Iterable[str] | None) -> list[str]:
    chosen = list(dict.fromkeys(values or []))
    if any(not isinstance(v, str) or v not in Rule.values for v in chosen):
        raise DomainError(_("Choose the rules from the list."), field="rules")
    return chosen


def _fits(device: Device, case: Case, *, field: str, kinds: Iterable[str]) -> None:
    if device.kind not in kinds:
        raise DomainError(_("This kind of device cannot be used here."), field=field)
    if device.status != DeviceStatus.IN_STOCK:
        raise DomainError(_("The device is not in stock."), field=field, code="device_not_in_stock")
    if device.office.region_id != case.office.region_id:
        raise DomainError(_("Choose a device held in the case's region."), field=field)


def _local_day(moment: dt.datetime, case: Case) -> dt.date:
    """The calendar day of ``moment`` in the case office's time zone."""
    try:
        zone = ZoneInfo(case.office.time_zone)
    except (ValueError, ZoneInfoNotFoundError):
        return timezone.localtime(moment).date()
    return moment.astimezone(zone).date()


def assignment_create(
    *,
    actor: User,
    case: Case,
    device: Device,
    installed_at: dt.datetime | None = None,
    rules: Iterable[str] | None = None,
    victim_device: Device | None = None,
    proximity_m: int | None = None,
) -> Assignment:
    """Fit ``device`` (in stock, held in the case's region) to an open case of the actor's
    jurisdiction; the schedules are read in the case office's time zone. With ``victim_device``
    (a victim's device in stock) the two are judged for proximity."""
    now = timezone.now()
    installed = recent_past(installed_at, field="installed_at", now=now)
    chosen = _rules(rules)
    if proximity_m is not None and (
        isinstance(proximity_m, bool) or not MIN_PROXIMITY_M <= proximity_m <= MAX_PROXIMITY_M
    ):
        raise DomainError(
            _("The proximity distance must be between %(min)s and %(max)s metres.")
            % {"min": MIN_PROXIMITY_M, "max": MAX_PROXIMITY_M},
            field="proximity_m",
        )
    if victim_device is not None and victim_device.pk == device.pk:
        raise DomainError(_("The victim's device must be another device."), field="victim_device")
    try:
        with transaction.atomic():
            locked_case = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
            if not selectors.may_assign(actor, locked_case):
                raise PermissionDeniedError(_("You may not fit a monitoring device to this case."))
            if not locked_case.is_open:
                raise DomainError(_("The case is not open."), code="case_closed")
            resolution = selectors.resolution_in_force(locked_case, _local_day(installed, locked_case))
            if resolution is None:
                raise DomainError(
                    _(
                        "Monitoring starts only by resolution of the head of office: "
                        "no resolution in force covers the installation date."
                    ),
                    field="installed_at",
                    code="no_em_resolution",
                )
            ids = [device.pk] + ([victim_device.pk] if victim_device is not None else [])
            locked = {d.pk: d for d in Device.objects.select_for_update().select_related("office").filter(pk__in=ids)}
            the_device = locked[device.pk]
            wearable = [k for k in DeviceKind.values if k != DeviceKind.VICTIM_DEVICE]
            _fits(the_device, locked_case, field="device", kinds=wearable)
            the_victim = locked[victim_device.pk] if victim_device is not None else None
            if the_victim is not None:
                _fits(the_victim, locked_case, field="victim_device", kinds=[DeviceKind.VICTIM_DEVICE])
            assignment = Assignment.objects.create(
                device=the_device,
                case=locked_case,
                installed_at=installed,
                time_zone=locked_case.office.time_zone,
                rules=chosen,
                victim_device=the_victim,
                proximity_m=proximity_m,
                created_by=actor,
                resolution=resolution,
            )
            reason = _("Fitted to case %(number)s") % {"number": locked_case.number}
            _move_device(actor, the_device, DeviceStatus.ASSIGNED, reason)
            if the_victim is not None:
                _move_device(actor, the_victim, DeviceStatus.ASSIGNED, reason)
            revise(assignment)
            audit_record(
                actor=actor,
                action="monitoring.assignment.create",
                subject=assignment,
                changes={"device": [None, the_device.serial], "installed_at": [None, installed]},
                details={
                    "case": locked_case.pk,
                    "rules": chosen,
                    "victim_device": the_victim.serial if the_victim else None,
                    "proximity_m": proximity_m,
                    "resolution": resolution.pk,
                },
            )
    except IntegrityError:
        # The partial unique index: another assignment of the device opened at the same moment.
        raise DomainError(
            _("The device already has an open assignment."), field="device", code="device_not_in_stock"
        ) from None
    return assignment


def assignment_end(
    *,
    actor: User,
    assignment: Assignment,
    reason: str,
    removed_at: dt.datetime | None = None,
    device_status: str = DeviceStatus.IN_STOCK,
) -> Assignment:
    """Take the device off: the assignment ends at ``removed_at`` (default now) and the device (and
    the victim's device) go back to stock — or the device to repair, or recorded lost."""
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for the removal."))
    if device_status not in END_STATUSES:
        raise DomainError(_("Choose what becomes of the device."), field="device_status")
    now = timezone.now()
    removed = recent_past(removed_at, field="removed_at", now=now)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().select_related("case", "case__office").get(pk=assignment.pk)
        if not selectors.may_assign(actor, locked.case):
            raise PermissionDeniedError(_("You may not remove this case's monitoring device."))
        if locked.removed_at is not None:
            raise DomainError(_("The assignment has already ended."), code="ended")
        if removed < locked.installed_at:
            raise DomainError(_("The device cannot be removed before it was fitted."), field="removed_at")
        devices = Device.objects.select_for_update().filter(
            pk__in=[locked.device_id, *([locked.victim_device_id] if locked.victim_device_id else [])]
        )
        by_pk = {d.pk: d for d in devices}
        locked.removed_at = removed
        locked.removed_by = actor
        locked.removal_reason = reason
        locked.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
        _move_device(actor, by_pk[locked.device_id], device_status, reason)
        if locked.victim_device_id:
            _move_device(actor, by_pk[locked.victim_device_id], DeviceStatus.IN_STOCK, reason)
        revise(locked)
        audit_record(
            actor=actor,
            action="monitoring.assignment.end",
            subject=locked,
            changes={"removed_at": [None, removed]},
            details={"reason": reason, "device_status": device_status, "case": locked.case_id},
        )
    return locked


def assignment_replace(
    *,
    actor: User,
    assignment: Assignment,
    device: Device,
    reason: str,
    replaced_at: dt.datetime | None = None,
    device_status: str = DeviceStatus.IN_REPAIR,
) -> Assignment:
    """Replace the device on a case: the current assignment ends at ``replaced_at`` (default now)
    with the reason, its device goes to ``device_status`` (default to repair), and ``device`` (in
    stock, of the case's region) is fitted from the same moment under the same resolution, with the
    same rules and victim protection; the zones in force and their later versions, and the
    permissions not yet over, are carried over as new zones and permissions of the new assignment."""
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for the replacement."))
    if device_status not in END_STATUSES:
        raise DomainError(_("Choose what becomes of the device."), field="device_status")
    now = timezone.now()
    at = recent_past(replaced_at, field="replaced_at", now=now)
    try:
        with transaction.atomic():
            old = Assignment.objects.select_for_update().select_related("case", "case__office").get(pk=assignment.pk)
            if not selectors.may_assign(actor, old.case):
                raise PermissionDeniedError(_("You may not replace this case's monitoring device."))
            if old.removed_at is not None:
                raise DomainError(_("The assignment has already ended."), code="ended")
            if not old.case.is_open:
                raise DomainError(_("The case is not open."), code="case_closed")
            if at < old.installed_at:
                raise DomainError(_("The device cannot be removed before it was fitted."), field="replaced_at")
            if device.pk == old.device_id:
                raise DomainError(_("Choose another device."), field="device")
            resolution = selectors.resolution_in_force(old.case, _local_day(at, old.case))
            if resolution is None:
                raise DomainError(
                    _(
                        "Monitoring starts only by resolution of the head of office: "
                        "no resolution in force covers the installation date."
                    ),
                    field="replaced_at",
                    code="no_em_resolution",
                )
            locked = {
                d.pk: d
                for d in Device.objects.select_for_update()
                .select_related("office")
                .filter(pk__in=[old.device_id, device.pk])
            }
            new_device = locked[device.pk]
            wearable = [k for k in DeviceKind.values if k != DeviceKind.VICTIM_DEVICE]
            _fits(new_device, old.case, field="device", kinds=wearable)
            old.removed_at = at
            old.removed_by = actor
            old.removal_reason = reason
            old.save(update_fields=["removed_at", "removed_by", "removal_reason", "updated_at"])
            _move_device(actor, locked[old.device_id], device_status, reason)
            new = Assignment.objects.create(
                device=new_device,
                case=old.case,
                installed_at=at,
                time_zone=old.time_zone,
                rules=old.rules,
                victim_device_id=old.victim_device_id,
                proximity_m=old.proximity_m,
                created_by=actor,
                resolution=resolution,
            )
            _move_device(
                actor, new_device, DeviceStatus.ASSIGNED, _("Fitted to case %(number)s") % {"number": old.case.number}
            )
            carried = _carry_zones(actor, old, new, at)
            revise(old)
            revise(new)
            audit_record(
                actor=actor,
                action="monitoring.assignment.replace",
                subject=new,
                changes={"device": [locked[old.device_id].serial, new_device.serial], "installed_at": [None, at]},
                details={
                    "case": old.case_id,
                    "replaced": old.pk,
                    "reason": reason,
                    "device_status": device_status,
                    "zones": carried,
                    "resolution": resolution.pk,
                },
            )
    except IntegrityError:
        raise DomainError(
            _("The device already has an open assignment."), field="device", code="device_not_in_stock"
        ) from None
    return new


def _carry_zones(actor: User, old: Assignment, new: Assignment, at: dt.datetime) -> int:
    """Copy ``old``'s zones not retired by ``at`` to ``new``: the version in force at ``at`` becomes
    version 1 from ``at``, later versions follow with their own start; and the permissions still
    running or to come. Returns the number of zones carried."""
    zones = list(
        Zone.objects.filter(assignment=old)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=at))
        .prefetch_related("versions")
        .order_by("id")
    )
    versions: list[ZoneVersion] = []
    mapping: dict[int, Zone] = {}
    for zone in zones:
        current = [v for v in zone.versions.all() if v.valid_from <= at and (v.valid_to is None or v.valid_to > at)]
        later = sorted((v for v in zone.versions.all() if v.valid_from > at), key=lambda v: v.number)
        chain = current[-1:] + later
        if not chain:
            continue
        copy = Zone.objects.create(
            assignment=new, kind=zone.kind, name=zone.name, retired_at=zone.retired_at, created_by=actor
        )
        mapping[zone.pk] = copy
        for number, version in enumerate(chain, start=1):
            versions.append(
                ZoneVersion(
                    zone=copy,
                    number=number,
                    geometry=version.geometry,
                    radius_m=version.radius_m,
                    buffer_m=version.buffer_m,
                    windows=version.windows,
                    valid_from=max(version.valid_from, at),
                    valid_to=version.valid_to,
                    changed_by=actor,
                    reason=_("Carried over to the replacement device"),
                )
            )
    ZoneVersion.objects.bulk_create(versions)
    exceptions = [
        ScheduleException(
            assignment=new,
            zone=mapping.get(e.zone_id) if e.zone_id else None,
            starts_at=max(e.starts_at, at),
            ends_at=e.ends_at,
            reason=e.reason,
            created_by=actor,
        )
        for e in ScheduleException.objects.filter(assignment=old, cancelled_at__isnull=True, ends_at__gt=at)
        if e.zone_id is None or e.zone_id in mapping
    ]
    ScheduleException.objects.bulk_create(exceptions)
    return len(mapping)

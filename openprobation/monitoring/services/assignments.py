"""Fitting a device to a case and taking it off (Order 511 para. 140: electronic monitoring by
resolution of the head of the service). Senior officers and heads (``Cap.EM_ASSIGN``), on a case
of their jurisdiction that is open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.audit.services import audit_record
from openprobation.cases.models import Case
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.monitoring import selectors
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus, Rule
from openprobation.monitoring.models import Assignment, Device, DeviceStatusChange
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

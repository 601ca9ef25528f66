"""The stock of monitoring devices: register one (its credential is answered once), edit its
details, move its status (``lifecycle``), rotate its credential. Devices are kept by heads of
office and regional administrators (``Cap.EM_DEVICES``) for the offices of their jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import Office, User
from openprobation.accounts.scoping import office_in_jurisdiction
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.timeutil import local_today
from openprobation.monitoring import selectors
from openprobation.monitoring.catalogue import DeviceKind, DeviceStatus
from openprobation.monitoring.credentials import new_credential
from openprobation.monitoring.models import Device, DeviceTransfer
from openprobation.monitoring.services.common import text
from openprobation.monitoring.services.lifecycle import BY_ASSIGNMENT_ONLY, DEVICE_LIFECYCLE

SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


@dataclass
class DeviceInput:
    kind: str
    serial: str
    office: Office
    supplier: str = ""
    leased: bool = False
    firmware: str = ""
    notes: str = ""


def _clean(data: DeviceInput) -> dict[str, object]:
    if data.kind not in DeviceKind.values:
        raise DomainError(_("Choose the kind of device."), field="kind")
    serial = text(data.serial, field="serial", required=True, limit=64, message=_("Enter the serial number."))
    if not SERIAL.fullmatch(serial):
        # Devices send their serial as a user name (HTTP Basic, MQTT, OsmAnd's id): plain ASCII only.
        raise DomainError(
            _("Enter the serial number with Latin letters, digits, dots, dashes, underscores or slashes."),
            field="serial",
        )
    return {
        "kind": data.kind,
        "serial": serial,
        "supplier": text(data.supplier, field="supplier", required=False, limit=200),
        "leased": bool(data.leased),
        "firmware": text(data.firmware, field="firmware", required=False, limit=64),
        "notes": text(data.notes, field="notes", required=False, limit=2000),
    }


def _refuse_office(actor: User, office: Office) -> None:
    if not selectors.may_manage_devices(actor):
        raise PermissionDeniedError(_("You may not manage monitoring devices."))
    if not office_in_jurisdiction(actor, office):
        raise DomainError(_("Choose an office of your own jurisdiction."), field="office")


def device_register(*, actor: User, data: DeviceInput) -> tuple[Device, str]:
    """Take a device into the stock of an office of the actor's jurisdiction. Answers the device and
    its credential secret, which is stored only as a hash and never shown again."""
    _refuse_office(actor, data.office)
    values = _clean(data)
    secret, hashed = new_credential()
    now = timezone.now()
    try:
        with transaction.atomic():
            if Device.objects.filter(serial=values["serial"]).exists():
                raise DomainError(_("A device with this serial number is already registered."), field="serial")
            device = Device.objects.create(office=data.office, credential_hash=hashed, credential_set_at=now, **values)
            audit_record(
                actor=actor,
                action="monitoring.device.register",
                subject=device,
                changes={"serial": [None, device.serial], "office": [None, data.office.code]},
                details={"kind": device.kind},
            )
    except IntegrityError:
        raise DomainError(_("A device with this serial number is already registered."), field="serial") from None
    return device, secret


def device_update(*, actor: User, device: Device, data: DeviceInput) -> Device:
    """Edit a device's details or move it to another office of the actor's jurisdiction (only a
    device in stock, in repair or lost moves: an assigned one stays with its case's office)."""
    values = _clean(data)
    try:
        with transaction.atomic():
            locked = Device.objects.select_for_update().select_related("office").get(pk=device.pk)
            if not selectors.may_manage_device(actor, locked):
                raise PermissionDeniedError(_("You may not manage this device."))
            _refuse_office(actor, data.office)
            changes: dict[str, list[object]] = {}
            for name, value in values.items():
                old = getattr(locked, name)
                if old != value:
                    changes[name] = [old, value]
                    setattr(locked, name, value)
            if locked.office_id != data.office.pk:
                if locked.status == DeviceStatus.ASSIGNED:
                    raise DomainError(
                        _("An assigned device stays with its office until it is removed."), field="office"
                    )
                changes["office"] = [locked.office.code, data.office.code]
                locked.office = data.office
            if not changes:
                raise DomainError(_("Nothing changes."), code="no_change")
            if "serial" in changes and Device.objects.filter(serial=locked.serial).exclude(pk=locked.pk).exists():
                raise DomainError(_("A device with this serial number is already registered."), field="serial")
            locked.save()
            audit_record(actor=actor, action="monitoring.device.update", subject=locked, changes=changes)
    except IntegrityError:
        raise DomainError(_("A device with this serial number is already registered."), field="serial") from None
    return locked


def device_set_status(*, actor: User, device: Device, to_status: str, reason: str) -> Device:
    """Send a device to repair, record it lost or found, or retire it (final). A device is fitted
    and taken off only by its assignment."""
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Give the reason for the change."))

    def authorize(locked: Device) -> None:
        if not selectors.may_manage_device(actor, locked):
            raise PermissionDeniedError(_("You may not manage this device."))
        if (locked.status, to_status) in BY_ASSIGNMENT_ONLY:
            raise DomainError(
                _("A device is fitted and taken off by its assignment: create or end the assignment instead."),
                field="to_status",
                code="illegal_transition",
            )

    return DEVICE_LIFECYCLE.move(
        actor=actor,
        obj=device,
        to_state=to_status,
        reason=reason,
        effective_on=local_today(),
        authorize=authorize,
    )


def device_rotate_credential(*, actor: User, device: Device) -> tuple[Device, str]:
    """A new credential for a device (the old one stops working at once). Answers the secret once;
    the audit trail records the rotation, never the secret."""
    secret, hashed = new_credential()
    with transaction.atomic():
        locked = Device.objects.select_for_update().select_related("office").get(pk=device.pk)
        if not selectors.may_manage_device(actor, locked):
            raise PermissionDeniedError(_("You may not manage this device."))
        if locked.status == DeviceStatus.RETIRED:
            raise DomainError(_("A retired device gets no new credential."), code="retired")
        locked.credential_hash = hashed
        locked.credential_set_at = timezone.now()
        locked.save(update_fields=["credential_hash", "credential_set_at", "updated_at"])
        audit_record(actor=actor, action="monitoring.device.rotate_credential", subject=locked)
    return locked, secret


# A device moves between offices only from these states (an assigned one stays with its case's
# office; a retired one is out of stock for good).
TRANSFERABLE = frozenset({DeviceStatus.IN_STOCK, DeviceStatus.IN_REPAIR, DeviceStatus.LOST})


def device_transfer(*, actor: User, device: Device, office: Office, reason: str) -> Device:
    """Move a device to another office's stock within its region (a head hands one over to a
    neighbouring district; a regional administrator moves stock between the region's offices).
    Writes a transfer row and one audit event of its own."""
    reason = text(reason, field="reason", required=False, limit=2000)
    with transaction.atomic():
        locked = Device.objects.select_for_update().select_related("office").get(pk=device.pk)
        if not selectors.may_manage_device(actor, locked):
            raise PermissionDeniedError(_("You may not manage this device."))
        if locked.status not in TRANSFERABLE:
            raise DomainError(_("Only a device in stock, in repair or lost moves to another office."), field="office")
        if office.pk == locked.office_id:
            raise DomainError(_("The device is already held by this office."), field="office")
        if office.region_id != locked.office.region_id:
            raise DomainError(_("Choose an office of the device's own region."), field="office")
        previous = locked.office
        locked.office = office
        locked.save(update_fields=["office", "updated_at"])
        DeviceTransfer.objects.create(
            device=locked,
            from_office=previous,
            to_office=office,
            reason=reason,
            effective_on=local_today(),
            moved_by=actor,
        )
        audit_record(
            actor=actor,
            action="monitoring.device.transfer",
            subject=locked,
            changes={"office": [previous.code, office.code]},
            details={"reason": reason} if reason else None,
        )
    return locked

"""Handling an alert (``alert_lifecycle``): acknowledge it, phone the person or a co-resident and
record what came of it, resolve it — as a false alarm, a technical problem or a confirmed violation
(which records a violation candidate on the case in probation control, carrying the evidence) — or
escalate it to the case's officer.

Who may (judged on the row under its lock): ``alert_selectors.may_handle_alert``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openprobation.accounts.models import User
from openprobation.accounts.scoping import CaseAction, may
from openprobation.audit.services import audit_record
from openprobation.core.exceptions import DomainError, PermissionDeniedError
from openprobation.core.lifecycle import Move
from openprobation.core.timeutil import local_today
from openprobation.enforcement.models import ViolationKind, ViolationSource
from openprobation.enforcement.services import violation_record
from openprobation.monitoring.alert_selectors import may_handle_alert
from openprobation.monitoring.alerting import AlertResolution, AlertStatus, CallOutcome, CallParty
from openprobation.monitoring.catalogue import Rule
from openprobation.monitoring.models import Alert, AlertCall, Position, ZoneVersion
from openprobation.monitoring.services.alert_lifecycle import ALERT_LIFECYCLE
from openprobation.monitoring.services.common import recent_past, text

# The kind of violation a confirmed alert is, by the rule it broke. Alerts of the device's health
# (battery, communication, no fix) are not breaches of a duty by themselves.
VIOLATION_KIND: dict[str, str] = {
    Rule.CURFEW: ViolationKind.CURFEW_BREACH,
    Rule.INCLUSION_EXIT: ViolationKind.LEFT_LOCALITY,
    Rule.EXCLUSION_ENTRY: ViolationKind.FORBIDDEN_PLACE,
    Rule.VICTIM_PROXIMITY: ViolationKind.FORBIDDEN_PLACE,
    Rule.STRAP: ViolationKind.DEVICE_TAMPERING,
}
EVIDENCE_FIXES = 5


def _authorize(actor: User, *, escalated_needs_officer: bool = True) -> Any:
    def check(locked: Alert) -> None:
        moving_on = escalated_needs_officer and locked.status == AlertStatus.ESCALATED
        if not may_handle_alert(actor, locked, moving_on_escalated=moving_on):
            if moving_on and may_handle_alert(actor, locked):
                raise PermissionDeniedError(_("The alert was escalated: the case's officer handles it now."))
            raise PermissionDeniedError(_("You may not handle this alert."))

    return check


def _illegal(action: str) -> Any:
    messages = {
        "acknowledge": _("Only a new or escalated alert can be acknowledged."),
        "resolve": _("Acknowledge the alert before resolving it; a resolved alert stays resolved."),
        "escalate": _("Only an acknowledged alert can be escalated."),
    }
    return lambda _from, _to: messages[action]


def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """The operator (or the officer, for an escalated alert) has seen the alert and is on it."""
    note = text(note, field="note", required=False, limit=2000)

    def apply(locked: Alert, move: Move) -> None:
        now = timezone.now()
        locked.acknowledged_at = now
        locked.acknowledged_by = actor
        locked.changed_at = now

    return ALERT_LIFECYCLE.move(
        actor=actor,
        obj=alert,
        to_state=AlertStatus.ACKNOWLEDGED,
        reason=note,
        effective_on=local_today(),
        apply=apply,
        authorize=_authorize(actor),
        illegal_message=_illegal("acknowledge"),
        details={"case": alert.case_id, "rule": alert.rule},
    )


def alert_escalate(*, actor: User, alert: Alert, reason: str) -> Alert:
    """Hand the alert to the case's officer: it shows in their list of alerts to handle."""
    reason = text(reason, field="reason", required=True, limit=2000, message=_("Say why the officer must act."))

    def apply(locked: Alert, move: Move) -> None:
        officer = locked.case.officer
        if officer is None or not officer.is_active:
            raise DomainError(_("The case has no officer to escalate to; call the office."), code="no_officer")
        now = timezone.now()
        locked.escalated_at = now
        locked.escalated_by = actor
        locked.escalated_to = officer
        locked.changed_at = now

    return ALERT_LIFECYCLE.move(
        actor=actor,
        obj=alert,
        to_state=AlertStatus.ESCALATED,
        reason=reason,
        effective_on=local_today(),
        apply=apply,
        authorize=_authorize(actor),
        illegal_message=_illegal("escalate"),
        details={"case": alert.case_id, "rule": alert.rule},
    )


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):  # pragma: no cover - assignments carry a checked zone
        return timezone.localtime(moment)


def _evidence(alert: Alert) -> str:
    """What the alert shows, as plain text for the violation record: the rule, the zone and the
    version judged, the times (local), the fixes around the event and where to see them."""
    zone_name = alert.zone.name if alert.zone_id and alert.zone else ""
    version = ZoneVersion.objects.filter(pk=alert.zone_version_id).first() if alert.zone_version_id else None
    tz = alert.assignment.time_zone
    fixes = list(
        Position.objects.filter(
            device_id=alert.device_id,
            fix_time__gte=alert.opened_at - dt.timedelta(minutes=15),
            fix_time__lte=alert.opened_at + dt.timedelta(minutes=15),
        ).order_by("fix_time", "seq")[:200]
    )
    near = sorted(fixes, key=lambda p: abs((p.fix_time - alert.opened_at).total_seconds()))[:EVIDENCE_FIXES]
    lines = [
        _("Rule: %(rule)s (severity: %(severity)s).")
        % {"rule": alert.get_rule_display(), "severity": alert.get_severity_display()},
        _("Device: %(serial)s.") % {"serial": alert.device.serial},
    ]
    if zone_name:
        lines.append(
            _("Zone: %(zone)s, version %(version)s.")
            % {"zone": zone_name, "version": version.number if version else "—"}
        )
    lines.append(_("Opened at: %(at)s.") % {"at": f"{_local(alert.opened_at, tz):%d.%m.%Y %H:%M:%S %Z}"})
    if alert.cleared_at is not None:
        lines.append(_("Cleared at: %(at)s.") % {"at": f"{_local(alert.cleared_at, tz):%d.%m.%Y %H:%M:%S %Z}"})
    if alert.lat is not None and alert.lon is not None:
        lines.append(_("Position at the event: %(lat).5f, %(lon).5f.") % {"lat": alert.lat, "lon": alert.lon})
    lines.append(
        _("Fixes within 15 minutes of the event: %(n)s; nearest: %(list)s.")
        % {
            "n": len(fixes),
            "list": "; ".join(
                f"{_local(p.fix_time, tz):%H:%M:%S} {p.lat:.5f},{p.lon:.5f} ±{p.accuracy_m or 0:.0f} m" for p in near
            )
            or "—",
        }
    )
    lines.append(_("Alert page: %(url)s") % {"url": reverse("monitoring:alert", kwargs={"record": alert.pk})})
    return "\n".join(lines)


def alert_resolve(*, actor: User, alert: Alert, resolution: str, note: str) -> Alert:
    """Close the alert. A confirmed violation records a violation candidate on the case (once: a
    candidate already recorded for this alert is reused), for the officer to confirm or dismiss."""
    if resolution not in AlertResolution.values:
        raise DomainError(_("Choose how the alert is resolved."), field="resolution")
    note = text(note, field="note", required=True, limit=2000, message=_("Say what was found."))

    def apply(locked: Alert, move: Move) -> None:
        now = timezone.now()
        locked.resolution = resolution
        locked.resolution_note = note
        locked.resolved_at = now
        locked.resolved_by = actor
        locked.changed_at = now
        if resolution != AlertResolution.CONFIRMED_VIOLATION:
            return
        kind = VIOLATION_KIND.get(locked.rule)
        if kind is None:
            raise DomainError(
                _("This alert is about the device, not a duty: resolve it as a technical problem or a false alarm."),
                field="resolution",
            )
        case = locked.case
        opened_local = _local(locked.opened_at, locked.assignment.time_zone)
        violation = violation_record(
            # The operator records for the monitoring centre (the system); staff in their own name.
            actor=actor if may(actor, CaseAction.EDIT, case) else None,
            case=case,
            kind=kind,
            source=ViolationSource.MONITORING_ALERT,
            source_ref=f"em-alert:{locked.pk}",
            occurred_on=opened_local.date(),
            description=_("Electronic monitoring: %(rule)s at %(at)s. %(note)s")
            % {"rule": locked.get_rule_display(), "at": f"{opened_local:%d.%m.%Y %H:%M}", "note": note},
            evidence=_evidence(locked),
            candidate=True,
        )
        locked.violation = violation

    return ALERT_LIFECYCLE.move(
        actor=actor,
        obj=alert,
        to_state=AlertStatus.RESOLVED,
        reason=note,
        effective_on=local_today(),
        apply=apply,
        authorize=_authorize(actor),
        illegal_message=_illegal("resolve"),
        details={"case": alert.case_id, "rule": alert.rule, "resolution": resolution},
    )


def alert_call_record(
    *,
    actor: User,
    alert: Alert,
    party: str,
    number: str,
    outcome: str,
    name: str = "",
    note: str = "",
    called_at: dt.datetime | None = None,
) -> AlertCall:
    """A phone call made about an unresolved alert: to the person, a co-resident or someone else."""
    if party not in CallParty.values:
        raise DomainError(_("Choose whom you called."), field="party")
    if outcome not in CallOutcome.values:
        raise DomainError(_("Choose what came of the call."), field="outcome")
    number = text(number, field="number", required=True, limit=40, message=_("Enter the number called."))
    if not any(ch.isdigit() for ch in number) or any(
        not (ch.isascii() and (ch.isdigit() or ch in "+()- ")) for ch in number
    ):
        raise DomainError(_("Enter the number with digits 0–9 (and +, spaces, brackets or dashes)."), field="number")
    name = text(name, field="name", required=False, limit=200)
    note = text(note, field="note", required=False, limit=2000)
    now = timezone.now()
    when = recent_past(called_at, field="called_at", now=now)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().select_related("case", "case__office").get(pk=alert.pk)
        _authorize(actor, escalated_needs_officer=False)(locked)
        if locked.status == AlertStatus.RESOLVED:
            raise DomainError(_("The alert is resolved; calls are no longer recorded on it."), code="resolved")
        if when < locked.opened_at - dt.timedelta(minutes=5):
            raise DomainError(_("The call cannot be before the alert."), field="called_at")
        call = AlertCall.objects.create(
            alert=locked,
            called_at=when,
            called_by=actor,
            party=party,
            number=number,
            name=name,
            outcome=outcome,
            note=note,
        )
        locked.changed_at = now
        locked.save(update_fields=["changed_at"])
        audit_record(
            actor=actor,
            action="monitoring.alert.call",
            subject=locked,
            changes={"outcome": [None, outcome]},
            details={"case": locked.case_id, "party": party, "call": call.pk},
        )
    return call

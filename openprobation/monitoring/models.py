"""Electronic monitoring, the data plane: devices and their credentials, assignments of a device to
a case, zones with their versions and schedules, the per-device state the rules engine carries, the
alerts it raises, and the positions it stores (on PostgreSQL a table partitioned by day).

The durable log of the embedded default (``LogEntry``) and the evaluators' cursors
(``PartitionCursor``) live here too: an evaluator commits its writes and its cursor in one
transaction, so a message delivered twice is applied once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office
from openprobation.cases.models import Case, CourtDecision
from openprobation.core.models import TimeStampedModel
from openprobation.enforcement.models import Violation
from openprobation.monitoring.alerting import UNRESOLVED, AlertResolution, AlertStatus, CallOutcome, CallParty
from openprobation.monitoring.catalogue import Channel, DeviceKind, DeviceStatus, FixQuality, Rule, Severity, ZoneKind


class Device(TimeStampedModel):
    """A bracelet, home unit, victim's device or smartphone app. Its credential (a random secret
    handed out once) is kept only as a SHA-256 hash; rotating it replaces the hash."""

    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    supplier = models.CharField(_("supplier or lessor"), max_length=200, blank=True)
    leased = models.BooleanField(_("leased"), default=False)
    firmware = models.CharField(_("firmware"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_STOCK)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="em_devices",
        verbose_name=_("held by office"),
        help_text=_("The office whose stock the device belongs to."),
    )
    credential_hash = models.CharField(max_length=64, blank=True, editable=False)
    credential_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["serial"]
        verbose_name = _("monitoring device")
        verbose_name_plural = _("monitoring devices")
        indexes = [models.Index(fields=["office", "status"])]

    def __str__(self) -> str:
        return self.serial


class DeviceStatusChange(models.Model):
    """One row per status move of a device (``core.lifecycle``)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=DeviceStatus.choices)
    to_status = models.CharField(max_length=16, choices=DeviceStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("device status change")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class DeviceTransfer(models.Model):
    """One row per move of a device from one office's stock to another's (within a region)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="transfers")
    from_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("from office"))
    to_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("to office"))
    reason = models.TextField(_("reason"), blank=True)
    effective_on = models.DateField(_("effective on"))
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_at", "-id"]
        verbose_name = _("device transfer")

    def __str__(self) -> str:
        return f"{self.from_office_id} → {self.to_office_id}"


class ResolutionGrounds(models.TextChoices):
    """Why the head of the service orders electronic monitoring (Order 511 para. 140)."""

    WRITTEN_WARNING = "written_warning", _("After a written warning (restriction of liberty)")
    COURT_EXTENSION = "court_extension", _("After a court extension of probation control (conditional sentence)")
    OTHER_COURT = "other_court", _("Another restriction set by a court")


class ResolutionStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended")
    REVOKED = "revoked", _("Revoked")


class EmResolution(TimeStampedModel):
    """The head of office's resolution that puts a case under electronic monitoring (Order 511
    para. 140): its grounds and period (``starts_on`` to ``ends_on``, the end computed from the
    rulebook's duration rules), the person's signed acknowledgement of the usage memo and of
    liability for damage to the device, and the co-residents informed. A device is fitted only
    under a resolution in force; its status moves (ended, revoked) keep a history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="em_resolutions", verbose_name=_("case"))
    number = models.CharField(_("resolution number"), max_length=64)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    acting_head = models.BooleanField(
        _("decided as acting head"),
        default=False,
        help_text=_("A senior officer deciding while acting as head of office."),
    )
    grounds = models.CharField(_("grounds"), max_length=24, choices=ResolutionGrounds.choices)
    grounds_text = models.TextField(_("grounds in detail"), blank=True)
    court_decision = models.ForeignKey(
        CourtDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("court decision extending control"),
    )
    starts_on = models.DateField(_("monitoring from"))
    ends_on = models.DateField(_("monitoring until"))
    rule_key = models.CharField(max_length=100, blank=True, editable=False)
    rule_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    memo_acknowledged_on = models.DateField(
        _("usage memo signed on"),
        null=True,
        blank=True,
        help_text=_("The person signed the memo on using the device and on liability for damage to it."),
    )
    co_residents_informed_on = models.DateField(_("co-residents informed on"), null=True, blank=True)
    co_residents_note = models.TextField(_("note on the co-residents"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ResolutionStatus.choices, default=ResolutionStatus.IN_FORCE
    )
    status_reason = models.TextField(_("reason for ending or revoking"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("electronic monitoring resolution")
        verbose_name_plural = _("electronic monitoring resolutions")
        indexes = [models.Index(fields=["case", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="em_resolution_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.starts_on:%d.%m.%Y} – {self.ends_on:%d.%m.%Y})"

    def covers(self, day: dt.date) -> bool:
        return self.status == ResolutionStatus.IN_FORCE and self.starts_on <= day <= self.ends_on


class EmResolutionStatusChange(models.Model):
    """One row per status move of a resolution (``core.lifecycle``)."""

    resolution = models.ForeignKey(EmResolution, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=ResolutionStatus.choices)
    to_status = models.CharField(max_length=12, choices=ResolutionStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    effective_on = models.DateField(_("effective on"))
    # Empty when the resolution ended by itself at the end of its period.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("resolution status change")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Assignment(TimeStampedModel):
    """A device on a case for a period (installed → removed), with the rules it is judged by:
    the zones and schedules below, which rules are on, and victim protection."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("device"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="em_assignments", verbose_name=_("case"))
    installed_at = models.DateTimeField(_("installed at"))
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        help_text=_("IANA time zone the schedules are read in (the office's when the assignment was made)."),
    )
    rules = models.JSONField(
        _("rules judged"), default=list, blank=True, help_text=_("The rules on for this assignment; empty means all.")
    )
    victim_device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protected_by",
        verbose_name=_("victim's device"),
    )
    proximity_m = models.PositiveIntegerField(_("proximity distance (m)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removal_reason = models.TextField(_("reason for removal"), blank=True)
    resolution = models.ForeignKey(
        EmResolution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("resolution"),
        help_text=_("The resolution in force the device was fitted under (empty for assignments made before them)."),
    )

    class Meta:
        ordering = ["-installed_at", "-id"]
        verbose_name = _("device assignment")
        verbose_name_plural = _("device assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["device"], condition=Q(removed_at__isnull=True), name="em_one_open_assignment_per_device"
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_at__gte=models.F("installed_at")),
                name="em_assignment_removed_after_installed",
            ),
        ]
        indexes = [models.Index(fields=["case", "removed_at"])]

    def __str__(self) -> str:
        return f"{self.device} → {self.case}"


class Zone(TimeStampedModel):
    """A zone of an assignment. Its shape, buffer and schedule live in versions: a change writes a
    new version from a moment on, and an alert is judged against the version in force at the fix."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="zones")
    kind = models.CharField(_("kind"), max_length=16, choices=ZoneKind.choices)
    name = models.CharField(_("name"), max_length=200)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["assignment", "kind", "id"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class ZoneVersion(models.Model):
    """One version of a zone: a GeoJSON Polygon (lon/lat), or a Point with a radius (a circle); a
    buffer in metres that widens the edge; weekly windows in local time when the zone applies
    (for a home zone: the curfew; empty = at all times); in force from ``valid_from`` until the
    next version's ``valid_from`` (``valid_to``)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    radius_m = models.FloatField(_("radius (m)"), null=True, blank=True)
    buffer_m = models.FloatField(_("buffer (m)"), default=0)
    windows = models.JSONField(
        _("weekly windows"),
        default=list,
        blank=True,
        help_text=_('[{"day": 0-6 (Monday = 0), "start": "22:00", "end": "06:00"}] in local time.'),
    )
    valid_from = models.DateTimeField(_("in force from"))
    valid_to = models.DateTimeField(_("in force until"), null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["zone", "number"]
        verbose_name = _("zone version")
        constraints = [models.UniqueConstraint(fields=["zone", "number"], name="em_zone_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.zone} v{self.number}"


class ScheduleException(TimeStampedModel):
    """A one-off permission: between ``starts_at`` and ``ends_at`` the zone (or, with no zone, every
    home zone's curfew of the assignment) is not judged."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="exceptions")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, null=True, blank=True, related_name="exceptions")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["assignment", "starts_at"]
        verbose_name = _("schedule exception")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="em_exception_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class ConfigRevision(models.Model):
    """Written in the same transaction as any change to an assignment's rules (zones, versions,
    schedules, exceptions, victim protection, removal): evaluators read the revisions past the last
    one they saw and recompile just those assignments."""

    id = models.BigAutoField(primary_key=True)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring configuration revision")

    def __str__(self) -> str:
        return f"#{self.pk} {self.assignment_id}"


class DeviceState(models.Model):
    """What the evaluator knows of a device between batches: its health (last message, last fix,
    battery, strap) and the engine's own state (zone membership, debounce counters, open alerts)
    in ``engine``. Written in the same transaction as the positions and alerts it follows from."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, primary_key=True, related_name="state")
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_fix_at = models.DateTimeField(null=True, blank=True)
    last_valid_fix_at = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    accuracy_m = models.FloatField(null=True, blank=True)
    battery = models.SmallIntegerField(null=True, blank=True)
    charging = models.BooleanField(null=True, blank=True)
    strap = models.SmallIntegerField(null=True, blank=True)
    connected = models.BooleanField(null=True, blank=True, help_text=_("False after an MQTT last-will message."))
    rejected_count = models.PositiveIntegerField(default=0)
    late_count = models.PositiveIntegerField(default=0)
    engine = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("device state")

    def __str__(self) -> str:
        return f"state of {self.device_id}"


class Alert(models.Model):
    """A rule broken on an assignment: opened at the event (the fix or clock time that broke it),
    cleared when the condition clears — both moments kept. At most one open alert per rule and
    assignment. ``received_at`` is when the message that raised it was received (alert latency is
    measured from it)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="alerts")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="alerts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="em_alerts")
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    zone_version = models.ForeignKey(ZoneVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Handling by the monitoring centre and the officer (``alerting``; the engine's own open and
    # cleared stay as they are: a cleared alert still waits for handling until it is resolved).
    # The engine inserts rows with SQL of its own, so every column below has a database default.
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.NEW, db_default=AlertStatus.NEW
    )
    resolution = models.CharField(
        _("resolution"), max_length=24, choices=AlertResolution.choices, blank=True, default="", db_default=""
    )
    resolution_note = models.TextField(_("resolution note"), blank=True, default="", db_default="")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="em_escalated_alerts",
        verbose_name=_("escalated to"),
    )
    violation = models.ForeignKey(
        Violation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("violation candidate"),
    )
    # When the row last changed (raised or handled): the console's live stream reads past it.
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "rule"], condition=Q(cleared_at__isnull=True), name="em_one_open_alert_per_rule"
            )
        ]
        indexes = [
            models.Index(fields=["case", "-opened_at"]),
            models.Index(fields=["-opened_at"]),
            models.Index(
                fields=["severity", "-opened_at"], condition=Q(cleared_at__isnull=True), name="em_open_alerts"
            ),
            # The console's queue (unresolved, oldest waiting first) and its live stream.
            models.Index(fields=["status", "opened_at"], name="em_alert_queue"),
            # The queue's page in its order, whatever the length of the history of resolved alerts.
            models.Index(fields=["opened_at", "id"], condition=Q(status__in=UNRESOLVED), name="em_alert_unresolved"),
            models.Index(fields=["changed_at"], name="em_alert_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.opened_at:%Y-%m-%d %H:%M}"


class AlertStatusChange(models.Model):
    """One row per status move of an alert (``core.lifecycle``)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=AlertStatus.choices)
    to_status = models.CharField(max_length=16, choices=AlertStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("alert status change")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AlertCall(models.Model):
    """A phone call made about an alert: whom, which number, when, and what came of it."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="calls")
    called_at = models.DateTimeField(_("called at"))
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    party = models.CharField(_("whom"), max_length=16, choices=CallParty.choices)
    number = models.CharField(_("number called"), max_length=40)
    name = models.CharField(_("name of who was called"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["called_at", "id"]
        verbose_name = _("call about an alert")
        verbose_name_plural = _("calls about alerts")

    def __str__(self) -> str:
        return f"{self.alert_id} {self.called_at:%Y-%m-%d %H:%M}"


class Position(models.Model):
    """One fix of one device. On PostgreSQL the table is partitioned by day of ``fix_time`` (see
    ``partitions``); the primary key (device, fix time, sequence) is the idempotency key — a
    repeated message is stored once — and serves "a device's track between two times". No foreign
    keys: hundreds of millions of rows, written in bulk by the evaluators."""

    pk = models.CompositePrimaryKey("device_id", "fix_time", "seq")
    device_id = models.BigIntegerField()
    fix_time = models.DateTimeField()
    seq = models.BigIntegerField(help_text="-1 when the device sends no sequence number")
    received_at = models.DateTimeField()
    assignment_id = models.BigIntegerField(null=True)
    lat = models.FloatField()
    lon = models.FloatField()
    accuracy_m = models.FloatField(null=True)
    battery = models.SmallIntegerField(null=True)
    speed = models.FloatField(null=True)
    course = models.SmallIntegerField(null=True)
    strap = models.SmallIntegerField(null=True)
    fix = models.SmallIntegerField(default=FixQuality.VALID)
    charging = models.BooleanField(null=True)
    flags = models.IntegerField(default=0, help_text="engine flags: late, duplicate, zone membership")
    channel = models.SmallIntegerField(choices=Channel.choices)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.device_id} {self.fix_time:%Y-%m-%d %H:%M:%S}"


class LogEntry(models.Model):
    """The durable log of the embedded default (production uses NATS JetStream): receivers append
    batches of validated messages per partition, evaluators read past their cursor. Entries are the
    raw payloads, kept for ``EM_RAW_RETENTION_DAYS``."""

    id = models.BigAutoField(primary_key=True)
    partition = models.SmallIntegerField()
    payload = models.BinaryField()
    appended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("log entry")
        indexes = [models.Index(fields=["partition", "id"])]

    def __str__(self) -> str:
        return f"{self.partition}:{self.pk}"


class PartitionCursor(models.Model):
    """The last log sequence applied per partition, committed with what it applied."""

    partition = models.SmallIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("evaluator cursor")

    def __str__(self) -> str:
        return f"{self.partition}@{self.last_seq}"


class RejectedMessage(models.Model):
    """Input a receiver refused (malformed, out of range, unknown device): counted per device and kept
    for the raw retention period, never stopping the pipeline."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True, related_name="rejected")
    channel = models.SmallIntegerField(choices=Channel.choices)
    received_at = models.DateTimeField(auto_now_add=True)
    code = models.CharField(max_length=64)
    message = models.TextField()
    payload = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("rejected message")
        indexes = [models.Index(fields=["device", "-received_at"]), models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.received_at:%Y-%m-%d %H:%M:%S}"

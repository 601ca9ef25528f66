"""The vocabulary of electronic monitoring (Order 511 para. 140): device kinds and states, zone
kinds, the rules the engine judges and their severities, and the codes a fix carries.

The integer codes (strap, fix quality, channel) are what travels in the log and sits in the
positions table; the engine works on them as NumPy arrays.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceKind(models.TextChoices):
    BRACELET = "bracelet", _("Bracelet")
    HOME_UNIT = "home_unit", _("Home unit")
    VICTIM_DEVICE = "victim_device", _("Victim's device")
    SMARTPHONE = "smartphone", _("Smartphone app")


class DeviceStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    ASSIGNED = "assigned", _("Assigned")
    IN_REPAIR = "in_repair", _("In repair")
    LOST = "lost", _("Lost")
    RETIRED = "retired", _("Retired")


class ZoneKind(models.TextChoices):
    """Inclusion: must stay inside at all times (or during its windows). Home: must be inside during
    the curfew windows. Exclusion: must not enter (during its windows, or always). Victim: a fixed
    place of a victim the person must keep the proximity distance from (an exclusion zone whose
    breach is judged as victim proximity)."""

    INCLUSION = "inclusion", _("Inclusion zone")
    HOME = "home", _("Home (curfew)")
    EXCLUSION = "exclusion", _("Exclusion zone")
    VICTIM = "victim", _("Victim's place")


class Rule(models.TextChoices):
    """What the rules engine judges. One open alert per rule per assignment."""

    INCLUSION_EXIT = "inclusion_exit", _("Left the inclusion zone")
    EXCLUSION_ENTRY = "exclusion_entry", _("Entered an exclusion zone")
    CURFEW = "curfew", _("Curfew breach")
    STRAP = "strap", _("Strap opened or cut")
    LOW_BATTERY = "low_battery", _("Low battery")
    LOST_COMMUNICATION = "lost_communication", _("Lost communication")
    NO_FIX = "no_fix", _("No valid position")
    VICTIM_PROXIMITY = "victim_proximity", _("Too close to the victim")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Strap(models.IntegerChoices):
    INTACT = 0, _("Intact")
    OPENED = 1, _("Opened")
    CUT = 2, _("Cut")


class FixQuality(models.IntegerChoices):
    VALID = 0, _("Valid fix")
    NONE = 1, _("No fix")
    LAST_KNOWN = 2, _("Last known position")


class Channel(models.IntegerChoices):
    HTTP = 1, _("HTTP (OwnTracks JSON)")
    OSMAND = 2, _("HTTP (OsmAnd)")
    MQTT = 3, _("MQTT")


STRAP_CODES: dict[str, int] = {"intact": Strap.INTACT, "opened": Strap.OPENED, "cut": Strap.CUT}
FIX_CODES: dict[str, int] = {"valid": FixQuality.VALID, "none": FixQuality.NONE, "last_known": FixQuality.LAST_KNOWN}

"""What a monitoring map shows, as plain data: the page puts it in a JSON script element and the
map script (``static/monitoring/map.js``) draws it — zones (polygons, circles, their buffers),
fixes (a track), alerts on it and where to look. One shape for every map (an alert's page, track
playback, the zone editor), so the pages and the script cannot disagree.

``{"zones": [...], "fixes": [...], "alerts": [...], "focus": {"lat", "lon"} | null}``:

- a zone: ``{"id", "version", "kind", "name", "geometry" (GeoJSON, lon/lat), "radius_m",
  "buffer_m", "windows"}``;
- a fix: ``{"t" (ISO 8601, UTC), "lat", "lon", "acc", "valid", "battery", "speed"}``;
- an alert: ``{"id", "t", "lat", "lon", "rule", "label", "severity", "url"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openprobation.monitoring.catalogue import FixQuality
from openprobation.monitoring.models import Alert, Position, ZoneVersion


def zone_feature(version: ZoneVersion) -> dict[str, Any]:
    zone = version.zone
    return {
        "id": zone.pk,
        "version": version.number,
        "kind": zone.kind,
        "name": zone.name,
        "geometry": version.geometry,
        "radius_m": version.radius_m,
        "buffer_m": version.buffer_m,
        "windows": version.windows,
    }


def fix_point(position: Position) -> dict[str, Any]:
    return {
        "t": position.fix_time.isoformat(),
        "lat": position.lat,
        "lon": position.lon,
        "acc": position.accuracy_m,
        "valid": position.fix == FixQuality.VALID,
        "battery": position.battery,
        "speed": position.speed,
    }


def alert_point(alert: Alert, *, url: str = "") -> dict[str, Any]:
    return {
        "id": alert.pk,
        "t": alert.opened_at.isoformat(),
        "lat": alert.lat,
        "lon": alert.lon,
        "rule": alert.rule,
        "label": str(alert.get_rule_display()),
        "severity": alert.severity,
        "url": url,
    }


@dataclass
class MapView:
    """A map on a page: ``{% include "monitoring/_map.html" with map=... %}``."""

    id: str
    label: str  # what the map shows, for screen readers ("Zones and fixes around the alert")
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def map_view(
    *,
    id: str,  # noqa: A002 (the element's id)
    label: str,
    zones: Iterable[ZoneVersion] = (),
    fixes: Iterable[Position] = (),
    alerts: Iterable[tuple[Alert, str]] = (),
    focus: tuple[float, float] | None = None,
) -> MapView:
    """``alerts`` are (alert, the address of its page or "")."""
    return MapView(
        id=id,
        label=label,
        data={
            "zones": [zone_feature(v) for v in zones],
            "fixes": [fix_point(p) for p in fixes],
            "alerts": [alert_point(a, url=u) for a, u in alerts],
            "focus": {"lat": focus[0], "lon": focus[1]} if focus is not None else None,
        },
    )

"""Steps the electronic-monitoring journeys share: the zone editor's map and drawing tools, and the
console's live stream."""

from __future__ import annotations

from typing import Any


def open_zone_editor(page: Any, assignment_id: int, *, centre: tuple[float, float], zoom: int = 15) -> None:
    """Open an assignment's zone editor with its map centred on ``centre`` (lat, lon)."""
    page.goto(f"/monitoring/assignments/{assignment_id}/zones/")
    page.wait_for_function("() => document.getElementById('em-zone-map').emMap !== undefined")
    page.evaluate(
        "([lat, lon, zoom]) => document.getElementById('em-zone-map').emMap.map.setView([lat, lon], zoom)",
        [centre[0], centre[1], zoom],
    )


def draw_polygon(page: Any) -> None:
    """Click the polygon tool, three corners around the map's centre, and the first corner again."""
    page.locator(".leaflet-pm-icon-polygon").click()
    box = page.locator("#em-zone-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 60, cy - 40), (cx + 60, cy - 40), (cx + 40, cy + 50)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(100)
    page.mouse.click(*corners[0])


def wait_until_live(page: Any) -> None:
    """Until the console says its live stream is connected."""
    page.wait_for_function("() => document.getElementById('console-connection').textContent.startsWith('Live:')")

"""The zone editor and track playback in the browser: an officer draws a home zone with the map's
drawing tools and sets its curfew with the week's quick fill; the editor and the track page are
free of serious accessibility violations."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.models import Position, Zone
from openprobation.monitoring.services import ZoneShape, zone_create
from openprobation.monitoring.tests.matrix import active_case, fitted
from openprobation.testing.factories import TEST_PASSWORD, make_personas
from tests.browser.conftest import VIEWPORT, assert_accessible, login
from tests.browser.monitoring_steps import draw_polygon, open_zone_editor

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_an_officer_draws_a_home_zone_and_sets_a_curfew(page: Any) -> None:
    personas = make_personas()
    officer = personas["officer"]
    assignment = fitted(personas["senior"], active_case(personas), installed_at=timezone.now() - dt.timedelta(hours=2))
    # Centre the empty map on Astana: a zone far from Kazakhstan would be refused.
    login(page, officer.username, TEST_PASSWORD)
    open_zone_editor(page, assignment.pk, centre=(51.13, 71.43))
    assert_accessible(page)

    draw_polygon(page)
    geometry = page.locator("#id_new-geometry").input_value()
    assert '"Polygon"' in geometry, geometry
    page.select_option("#id_new-kind", "home")
    page.fill("#id_new-name", "Үй")
    page.fill("#id_new-buffer_m", "20")
    with page.expect_navigation():
        page.click("#em-zone-form button[type=submit]")
    zone = Zone.objects.get(assignment=assignment)
    version = zone.versions.get()
    assert zone.kind == "home" and version.geometry["type"] == "Polygon" and version.buffer_m == 20

    # The curfew: every night 22:00–06:00 with the quick fill, Sunday free.
    page.locator(f"#zone-{zone.pk} summary", has_text="curfew").click()
    page.locator(f"#zone-{zone.pk} .em-fill-night").click()
    page.fill(f"#id_c{zone.pk}_day6", "")
    with page.expect_navigation():
        page.click(f"#zone-{zone.pk} .em-curfew-form button[type=submit]")
    latest = zone.versions.order_by("-number").first()
    assert latest is not None and latest.number == 2
    assert sorted(w["day"] for w in latest.windows if w["start"] == "22:00") == [0, 1, 2, 3, 4, 5]
    assert page.locator(f"#zone-{zone.pk} .em-days").inner_text().count("22:00–06:00") == 6
    assert page.locator("#em-zone-map path.leaflet-interactive").count() >= 1
    assert_accessible(page)


def test_track_playback_plays_and_is_accessible(page: Any) -> None:
    personas = make_personas()
    now = timezone.now()
    assignment = fitted(personas["senior"], active_case(personas), installed_at=now - dt.timedelta(hours=5))
    Position.objects.bulk_create(
        Position(
            device_id=assignment.device_id,
            fix_time=now - dt.timedelta(minutes=m),
            seq=m,
            received_at=now,
            assignment_id=assignment.pk,
            lat=51.13 + m / 5000,
            lon=71.43 + m / 5000,
            channel=Channel.HTTP,
        )
        for m in range(1, 60)
    )
    zone = zone_create(
        actor=personas["officer"],
        assignment=assignment,
        kind="exclusion",
        name='<img src=x id="injected">',
        shape=ZoneShape(geometry={"type": "Point", "coordinates": [71.43, 51.13]}, radius_m=50),
    )
    login(page, personas["officer"].username, TEST_PASSWORD)
    page.goto(f"/monitoring/assignments/{assignment.pk}/track/")
    page.wait_for_selector("#em-player:not([hidden])")
    # A zone's name is shown as text on the map, never as markup.
    tooltip = page.evaluate(
        f"() => document.getElementById('em-track-map').emMap.zones[{zone.pk}].shape.getTooltip().getContent()"
    )
    assert tooltip.startswith("&lt;img")
    page.locator("#em-track-map path.leaflet-interactive").first.hover()
    assert page.locator("#injected").count() == 0
    assert page.locator("#em-fixes tbody tr").count() == 59
    page.select_option("#em-speed", "60")
    page.click(".em-play")
    page.wait_for_function("() => Number(document.getElementById('em-time').value) > 0")
    page.click(".em-play")
    assert page.locator(".em-play").get_attribute("aria-pressed") == "false"
    assert_accessible(page)


def test_without_javascript_the_zones_are_listed_and_a_shape_is_typed(
    browser: Any, live_server: Any, _emptied_audit_trail: None
) -> None:
    personas = make_personas()
    assignment = fitted(personas["senior"], active_case(personas))
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, viewport=VIEWPORT)
    try:
        page = context.new_page()
        login(page, personas["officer"].username, TEST_PASSWORD)
        page.goto(f"/monitoring/assignments/{assignment.pk}/zones/")
        page.select_option("#id_new-kind", "home")
        page.fill("#id_new-name", "Үй")
        page.fill("#id_new-geometry", '{"type": "Point", "coordinates": [71.43, 51.13]}')
        page.fill("#id_new-radius_m", "100")
        with page.expect_navigation():
            page.click("#em-zone-form button[type=submit]")
        zone = Zone.objects.get(assignment=assignment)
        assert page.locator(f"#zone-{zone.pk} .em-days").count() == 1  # the curfew table, empty
        assert "Үй" in page.locator(f"#zone-{zone.pk}-title").inner_text()
        # The curfew form works without the quick fill (its button stays hidden).
        page.locator(f"#zone-{zone.pk} summary", has_text="curfew").click()
        assert not page.locator(f"#zone-{zone.pk} .em-fill-night").is_visible()
        page.fill(f"#id_c{zone.pk}_day0", "22:00–06:00")
        with page.expect_navigation():
            page.click(f"#zone-{zone.pk} .em-curfew-form button[type=submit]")
        latest = zone.versions.order_by("-number").first()
        assert latest is not None and latest.windows == [{"day": 0, "start": "22:00", "end": "06:00"}]
    finally:
        context.close()

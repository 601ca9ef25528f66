"""The zone editor and track playback pages: a change through the page is the change the API makes
(the same services), bad input is shown beside the map, who is refused changes nothing, the curfew
week and the permissions round-trip, and every view of a track is audited and kept to the
assignment's own period."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.monitoring.catalogue import Channel, FixQuality
from openprobation.monitoring.models import Assignment, Position, ScheduleException, Zone, ZoneVersion
from openprobation.monitoring.services import ZoneShape, exception_create, zone_create
from openprobation.monitoring.tests.matrix import active_case, fitted
from openprobation.testing.clients import api_client, web_client
from openprobation.web.security import tile_origin

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [71.43, 51.13]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[71.40, 51.10], [71.42, 51.10], [71.42, 51.12], [71.40, 51.12], [71.40, 51.10]]],
}
BOW_TIE = {"type": "Polygon", "coordinates": [[[71.40, 51.10], [71.42, 51.12], [71.42, 51.10], [71.40, 51.12]]]}


@pytest.fixture
def assignment(personas) -> Assignment:
    return fitted(personas["senior"], active_case(personas))


def _home(actor: Any, assignment: Assignment, **over: Any) -> Zone:
    shape = over.pop("shape", ZoneShape(geometry=POINT, radius_m=120, windows=[]))
    return zone_create(actor=actor, assignment=assignment, kind="home", name="Үй", shape=shape, **over)


def _new_zone(**over: Any) -> dict[str, str]:
    body = {
        "new-kind": "exclusion",
        "new-name": "Жәбірленушінің көшесі",
        "new-geometry": json.dumps(SQUARE),
        "new-radius_m": "",
        "new-buffer_m": "15",
        "new-reason": "Сот қаулысы",
    }
    return {**body, **over}


def _zones_url(assignment: Assignment) -> str:
    return reverse("monitoring:zones", kwargs={"record": assignment.pk})


def _comparable(version: ZoneVersion) -> tuple[Any, ...]:
    zone = version.zone
    return (zone.kind, zone.name, version.geometry, version.radius_m, version.buffer_m, version.windows)


# --- Zones through the page and through the API ------------------------------------------------------------


def test_a_zone_drawn_on_the_page_is_the_zone_the_api_makes(personas, assignment):
    officer = personas["officer"]
    response = web_client(officer).post(_zones_url(assignment), _new_zone())
    assert response.status_code == 302, response.content.decode()[:2000]
    api = api_client(officer).post(
        f"/api/v1/em/assignments/{assignment.pk}/zones/",
        {
            "kind": "exclusion",
            "name": "Жәбірленушінің көшесі",
            "geometry": SQUARE,
            "buffer_m": 15,
            "reason": "Сот қаулысы",
        },
        format="json",
    )
    assert api.status_code == 201, api.json()
    by_page, by_api = ZoneVersion.objects.select_related("zone").filter(zone__assignment=assignment).order_by("id")
    assert _comparable(by_page) == _comparable(by_api)
    assert by_page.changed_by == by_api.changed_by == officer
    assert AuditEvent.objects.filter(action="monitoring.zone.create").count() == 2


def test_a_circle_changed_and_retired_through_the_page(personas, assignment):
    officer = personas["officer"]
    zone = _home(officer, assignment)
    client = web_client(officer)
    page = client.get(_zones_url(assignment))
    assert page.status_code == 200
    assert page.context["map"].data["zones"][0]["id"] == zone.pk
    changed = client.post(
        reverse("monitoring:zone_change", kwargs={"record": zone.pk}),
        {"name": "Үй (жаңа)", "geometry": json.dumps(POINT), "radius_m": "150", "buffer_m": "25", "reason": "GPS"},
    )
    assert changed.status_code == 302
    latest = zone.versions.order_by("-number").first()
    assert latest is not None
    assert (latest.number, latest.radius_m, latest.buffer_m, latest.reason) == (2, 150, 25, "GPS")
    assert AuditEvent.objects.filter(action="monitoring.zone.change", subject_id=str(zone.pk)).count() == 1

    history = client.get(_zones_url(assignment), {"version": zone.versions.get(number=1).pk})
    historic = [z for z in history.context["map"].data["zones"] if z.get("historic")]
    assert [z["version"] for z in historic] == [1] and historic[0]["radius_m"] == 120

    retired = client.post(reverse("monitoring:zone_retire", kwargs={"record": zone.pk}), {"reason": "Сот шешімі"})
    assert retired.status_code == 302
    zone.refresh_from_db()
    assert zone.retired_at is not None
    assert AuditEvent.objects.filter(action="monitoring.zone.retire", subject_id=str(zone.pk)).count() == 1
    # The retired zone is no longer on the map, but its history is still listed.
    again = client.get(_zones_url(assignment))
    assert again.context["map"].data["zones"] == []
    assert again.context["rows"][0]["versions"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"new-geometry": "{not json"}, "geometry"),
        ({"new-geometry": json.dumps(BOW_TIE)}, "geometry"),
        ({"new-geometry": "[" * 5000 + "]" * 5000}, "geometry"),
        ({"new-geometry": json.dumps(POINT), "new-radius_m": "٢٠٠"}, "radius_m"),
        ({"new-geometry": json.dumps(POINT), "new-radius_m": "1e308"}, "radius_m"),
        ({"new-geometry": json.dumps({"type": "Point", "coordinates": [2.35, 48.85]}), "new-radius_m": "100"}, None),
        ({"new-kind": "forbidden"}, "kind"),
        ({"new-valid_from": "9999-12-31T00:00"}, "valid_from"),
        ({"new-valid_from": "2001-01-01T00:00"}, "valid_from"),
        ({"new-name": "x" * 5000}, "name"),
    ],
)
def test_bad_shapes_and_odd_input_are_shown_beside_the_map(personas, assignment, over, field):
    response = web_client(personas["officer"]).post(_zones_url(assignment), _new_zone(**over))
    assert response.status_code == 200
    form = response.context["zone_form"]
    assert form.errors, over
    if field:
        assert field in form.errors, form.errors
    assert not Zone.objects.filter(assignment=assignment).exists()


def test_errors_are_in_the_users_language(personas, assignment):
    response = web_client(personas["officer"], language="ru").post(
        _zones_url(assignment), _new_zone(**{"new-geometry": json.dumps(BOW_TIE)})
    )
    assert response.status_code == 200
    errors = " ".join(response.context["zone_form"].errors["geometry"])
    assert errors and any("а" <= ch <= "я" for ch in errors.lower()), errors


# --- Who may change zones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("colleague", 403),  # an officer of the office, not on this case
        ("other_district", 404),
        ("other_region", 404),
        ("monitoring", 403),  # operators read, never change
        ("analyst", 404),
        ("auditor", 404),
        ("sysadmin", 404),
    ],
)
def test_who_may_not_change_zones_changes_nothing(personas, assignment, who, status):
    zone = _home(personas["officer"], assignment)
    now = timezone.now()
    permission = exception_create(
        actor=personas["officer"],
        assignment=assignment,
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        reason="Емхана",
    )
    before = (
        ZoneVersion.objects.count(),
        Zone.objects.filter(retired_at__isnull=False).count(),
        AuditEvent.objects.filter(action__startswith="monitoring.zone").count(),
    )
    client = web_client(personas[who])
    posts = [
        (_zones_url(assignment), _new_zone()),
        (
            reverse("monitoring:zone_change", kwargs={"record": zone.pk}),
            {"name": "X", "geometry": json.dumps(POINT), "radius_m": "300"},
        ),
        (reverse("monitoring:zone_curfew", kwargs={"record": zone.pk}), {"day0": "21:00–07:00"}),
        (reverse("monitoring:zone_retire", kwargs={"record": zone.pk}), {"reason": "r"}),
        (reverse("monitoring:permission_cancel", kwargs={"record": permission.pk}), {"reason": "r"}),
    ]
    for url, body in posts:
        assert client.post(url, body).status_code in {403, 404}, url
    assert client.post(_zones_url(assignment), _new_zone()).status_code == status
    after = (
        ZoneVersion.objects.count(),
        Zone.objects.filter(retired_at__isnull=False).count(),
        AuditEvent.objects.filter(action__startswith="monitoring.zone").count(),
    )
    assert after == before
    permission.refresh_from_db()
    assert permission.cancelled_at is None


def test_an_operator_sees_the_zones_but_no_forms(personas, assignment):
    _home(personas["officer"], assignment)
    response = web_client(personas["monitoring"]).get(_zones_url(assignment))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert response.context["zone_form"] is None
    assert "em-zone-form" not in response.content.decode()


# --- The curfew week and one-off permissions ---------------------------------------------------------------


def test_the_curfew_week_round_trips_with_overnight_and_several_windows(personas, assignment):
    officer = personas["officer"]
    zone = _home(officer, assignment)
    client = web_client(officer)
    url = reverse("monitoring:zone_curfew", kwargs={"record": zone.pk})
    body = {f"day{d}": "22:00–06:00" for d in range(7)}
    body["day5"] = "23:30-07:00, 13:00 - 14:00"
    body["day6"] = ""
    body["reason"] = "Сот қаулысы"
    assert client.post(url, body).status_code == 302
    latest = zone.versions.order_by("-number").first()
    assert latest is not None and latest.number == 2
    assert {"day": 0, "start": "22:00", "end": "06:00"} in latest.windows
    assert {"day": 5, "start": "13:00", "end": "14:00"} in latest.windows
    assert not [w for w in latest.windows if w["day"] == 6]
    assert AuditEvent.objects.filter(action="monitoring.zone.schedule", subject_id=str(zone.pk)).count() == 1
    page = client.get(_zones_url(assignment)).content.decode()
    assert 'value="22:00–06:00"' in page
    assert "13:00–14:00" in page and "23:30–07:00" in page

    same_as_api = api_client(officer).put(
        f"/api/v1/em/zones/{zone.pk}/schedule/", {"windows": latest.windows}, format="json"
    )
    assert same_as_api.status_code == 400  # nothing changes: the page stored what the API would


@pytest.mark.parametrize("value", ["25:00–06:00", "22:00", "22.00-06.00", "٢٢:٠٠–06:00", "x" * 300])
def test_a_bad_curfew_window_is_shown_on_the_form(personas, assignment, value):
    zone = _home(personas["officer"], assignment)
    response = web_client(personas["officer"]).post(
        reverse("monitoring:zone_curfew", kwargs={"record": zone.pk}), {"day2": value}
    )
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["zone"].pk == zone.pk)
    assert row["curfew"].errors
    assert zone.versions.count() == 1


def test_a_permission_is_given_and_cancelled_through_the_page(personas, assignment):
    officer = personas["officer"]
    zone = _home(officer, assignment)
    client = web_client(officer)
    start = timezone.localtime(timezone.now() + dt.timedelta(hours=2), zoneinfo.ZoneInfo(assignment.time_zone))
    body = {
        "p-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "p-ends_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "p-zone": str(zone.pk),
        "p-reason": "Ауруханаға бару",
    }
    assert (
        client.post(reverse("monitoring:permission_create", kwargs={"record": assignment.pk}), body).status_code == 302
    )
    permission = ScheduleException.objects.get(assignment=assignment)
    assert permission.zone == zone and permission.ends_at - permission.starts_at == dt.timedelta(hours=3)
    cancel = client.post(
        reverse("monitoring:permission_cancel", kwargs={"record": permission.pk}), {"reason": "Қажет емес"}
    )
    assert cancel.status_code == 302
    permission.refresh_from_db()
    assert permission.cancelled_at is not None
    again = client.post(reverse("monitoring:permission_cancel", kwargs={"record": permission.pk}), {})
    assert again.status_code == 200 and again.context["cancel_errors"]


@pytest.mark.parametrize(
    "over",
    [
        {"p-ends_at": "2001-01-01T00:00"},
        {"p-starts_at": "", "p-ends_at": ""},
        {"p-zone": "999999"},
        {"p-zone": "٣"},
        {"p-starts_at": "9999-12-31T23:59", "p-ends_at": "9999-12-31T23:59"},
    ],
)
def test_a_bad_permission_is_shown_on_the_form(personas, assignment, over):
    now = timezone.now()
    body = {
        "p-starts_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "p-ends_at": (now + dt.timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "p-reason": "r",
        **over,
    }
    response = web_client(personas["officer"]).post(
        reverse("monitoring:permission_create", kwargs={"record": assignment.pk}), body
    )
    assert response.status_code == 200
    assert response.context["permission_form"].errors
    assert not ScheduleException.objects.exists()


# --- Track playback ----------------------------------------------------------------------------------------


def _fixes(assignment: Assignment, times: list[dt.datetime]) -> None:
    Position.objects.bulk_create(
        Position(
            device_id=assignment.device_id,
            fix_time=t,
            seq=i,
            received_at=t,
            assignment_id=assignment.pk,
            lat=51.13 + i / 10000,
            lon=71.43,
            fix=FixQuality.VALID if i % 3 else FixQuality.NONE,
            channel=Channel.HTTP,
        )
        for i, t in enumerate(times)
    )


def test_a_track_view_is_audited_and_kept_to_the_assignments_period(personas):
    installed = timezone.now() - dt.timedelta(hours=3)
    assignment = fitted(personas["senior"], active_case(personas), installed_at=installed)
    _fixes(assignment, [installed - dt.timedelta(hours=2), installed - dt.timedelta(minutes=1)])
    _fixes(assignment, [installed + dt.timedelta(seconds=s) for s in (1, 60, 120)])
    client = web_client(personas["officer"])
    url = reverse("monitoring:track", kwargs={"record": assignment.pk})
    before = AuditEvent.objects.filter(action="monitoring.track.view").count()
    response = client.get(url)
    assert response.status_code == 200
    fixes = response.context["map"].data["fixes"]
    assert fixes and all(dt.datetime.fromisoformat(f["t"]) >= installed for f in fixes)
    assert AuditEvent.objects.filter(action="monitoring.track.view").count() == before + 1
    assert 'id="em-fixes"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-01-01T00:00", "end": "2025-01-01T00:00"},
        {"start": "2020-01-01T00:00", "end": "2026-01-01T00:00"},
        {"start": "٢٠٢٦-01-01T00:00"},
        {"start": "99999-01-01T00:00"},
        {"end": "x" * 5000},
    ],
)
def test_an_odd_track_range_is_explained_not_a_500(personas, assignment, query):
    response = web_client(personas["officer"]).get(reverse("monitoring:track", kwargs={"record": assignment.pk}), query)
    assert response.status_code == 200
    assert response.context["error"]


def test_the_track_is_refused_outside_the_scope(personas, assignment):
    url = reverse("monitoring:track", kwargs={"record": assignment.pk})
    for who in ("other_region", "other_district", "analyst", "sysadmin"):
        assert web_client(personas[who]).get(url).status_code == 404, who
    assert web_client(personas["monitoring"]).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="monitoring.track.view", actor=personas["analyst"]).exists()


# --- Query counts ------------------------------------------------------------------------------------------


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_zone_page_reads_a_fixed_number_of_queries(personas, assignment):
    officer = personas["officer"]
    client = web_client(officer)
    _home(officer, assignment)
    url = _zones_url(assignment)
    _count(client, url)  # warm the caches (sessions, rulebook, menus)
    one = _count(client, url)
    for i in range(3):
        zone_create(
            actor=officer,
            assignment=assignment,
            kind="exclusion",
            name=f"Аймақ {i}",
            shape=ZoneShape(geometry=SQUARE, buffer_m=10),
        )
    assert _count(client, url) == one


def test_the_track_page_reads_a_fixed_number_of_queries(personas, assignment, django_assert_max_num_queries):
    client = web_client(personas["officer"])
    url = reverse("monitoring:track", kwargs={"record": assignment.pk})
    _count(client, url)
    one = _count(client, url)
    now = timezone.now()
    _fixes(assignment, [now - dt.timedelta(minutes=m) for m in range(1, 300)])
    with django_assert_max_num_queries(one):
        client.get(url)


# --- The tile server ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("", ""),
        ("https://{s}.tiles.example.kz/{z}/{x}/{y}.png", "https://*.tiles.example.kz"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("javascript:alert(1)", ""),
        ("https://evil.example; script-src *", ""),
    ],
)
def test_the_tile_server_is_the_only_origin_added_to_the_policy(template, origin):
    assert tile_origin(template) == origin


def test_with_no_tile_server_the_map_draws_on_a_plain_background(personas, assignment, settings):
    page = web_client(personas["officer"]).get(_zones_url(assignment))
    config = json.loads(page.content.decode().split('id="em-map-config" type="application/json">')[1].split("<")[0])
    assert config["tiles"] == ""
    assert "img-src 'self' data:;" in page["Content-Security-Policy"]
    settings.EM_MAP_TILES_URL = "https://{s}.tiles.example.kz/{z}/{x}/{y}.png"
    settings.EM_MAP_TILES_ATTRIBUTION = "© Tiles"
    tiled = web_client(personas["officer"]).get(_zones_url(assignment))
    assert "img-src 'self' data: https://*.tiles.example.kz;" in tiled["Content-Security-Policy"]
    assert "https://{s}.tiles.example.kz" in tiled.content.decode()


def test_a_truncated_track_says_so(personas, monkeypatch):
    from openprobation.monitoring import selectors  # noqa: PLC0415 - patched for this test only

    now = timezone.now()
    assignment = fitted(personas["senior"], active_case(personas), installed_at=now - dt.timedelta(hours=3))
    _fixes(assignment, [now - dt.timedelta(minutes=m) for m in range(1, 11)])
    monkeypatch.setattr(selectors, "TRACK_LIMIT", 4)
    response = web_client(personas["officer"]).get(reverse("monitoring:track", kwargs={"record": assignment.pk}))
    assert response.status_code == 200
    assert response.context["track"].truncated
    assert len(response.context["map"].data["fixes"]) == 4
    assert 'id="em-track-truncated"' in response.content.decode()

"""The monitoring API end to end: odd input answered with a clear 4xx, tracks and alert details
audited, alerts filtered and scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openprobation.audit.models import AuditEvent
from openprobation.core.timeutil import local_today
from openprobation.monitoring.catalogue import Channel
from openprobation.monitoring.models import Alert, Assignment, Position, ZoneVersion
from openprobation.monitoring.tests.matrix import active_case, fitted, stock_device
from openprobation.testing.clients import api_client

pytestmark = pytest.mark.django_db

BOW_TIE = {"type": "Polygon", "coordinates": [[[71.40, 51.10], [71.42, 51.12], [71.42, 51.10], [71.40, 51.12]]]}


def _zone_body(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "exclusion",
        "name": "Victim's street",
        "geometry": {"type": "Point", "coordinates": [71.43, 51.13]},
        "radius_m": 200,
    }
    return {**base, **over}


def test_a_device_is_registered_fitted_and_zoned_over_the_api(personas):
    head = api_client(personas["head"])
    created = head.post(
        "/api/v1/em/devices/", {"kind": "bracelet", "serial": "API-1", "office": personas["office_a"].pk}, format="json"
    )
    assert created.status_code == 201 and created.json()["credential"]
    assert "credential" not in head.get(f"/api/v1/em/devices/{created.json()['id']}/").json()
    case = active_case(personas)
    refused = head.post(f"/api/v1/em/cases/{case.pk}/assignments/", {"device": created.json()["id"]}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "no_em_resolution", refused.json()
    resolution = head.post(
        f"/api/v1/em/cases/{case.pk}/resolutions/",
        {
            "number": "ЭК-1",
            "decided_on": local_today().isoformat(),
            "grounds": "other_court",
            "grounds_text": "Сот шектеуі",
            "ends_on": (local_today() + dt.timedelta(days=90)).isoformat(),
        },
        format="json",
    )
    assert resolution.status_code == 201, resolution.json()
    fit = head.post(f"/api/v1/em/cases/{case.pk}/assignments/", {"device": created.json()["id"]}, format="json")
    assert fit.status_code == 201, fit.json()
    assert fit.json()["resolution"] == resolution.json()["id"]
    zone = api_client(personas["officer"]).post(
        f"/api/v1/em/assignments/{fit.json()['id']}/zones/", _zone_body(), format="json"
    )
    assert zone.status_code == 201, zone.json()
    assert ZoneVersion.objects.filter(zone_id=zone.json()["id"]).count() == 1


@pytest.mark.parametrize(
    "over",
    [
        {"geometry": BOW_TIE, "radius_m": None},
        {"radius_m": "٢٠٠"},
        {"radius_m": "200"},
        {"buffer_m": True},
        {"geometry": {"type": "Point", "coordinates": [[[[[]]]]]}},
        {"geometry": "Astana"},
        {"windows": [{"day": 1, "start": "22:00", "end": "99:99"}]},
        {"kind": "forbidden"},
        {"valid_from": "9999-12-31T00:00:00Z"},
    ],
)
def test_odd_zone_input_is_a_clear_400(personas, over):
    assignment = fitted(personas["senior"], active_case(personas))
    response = api_client(personas["officer"]).post(
        f"/api/v1/em/assignments/{assignment.pk}/zones/", _zone_body(**over), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"] and response.json()["code"]


def test_nan_and_huge_bodies_are_refused(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    client = api_client(personas["officer"])
    url = f"/api/v1/em/assignments/{assignment.pk}/zones/"
    nan = '{"kind": "home", "name": "x", "geometry": {"type": "Point", "coordinates": [NaN, 51]}, "radius_m": 100}'
    assert client.post(url, nan, content_type="application/json").status_code == 400
    huge = '{"kind": "home", "name": "' + "x" * (10 * 1024 * 1024) + '"}'
    assert 400 <= client.post(url, huge, content_type="application/json").status_code < 500


def test_a_track_is_audited_and_bounded(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(installed_at=now - dt.timedelta(hours=1))
    Position.objects.bulk_create(
        Position(
            device_id=assignment.device_id,
            fix_time=now - dt.timedelta(minutes=m),
            seq=m,
            received_at=now,
            lat=51.13,
            lon=71.43,
            channel=Channel.HTTP,
        )
        for m in range(5)
    )
    client = api_client(personas["officer"])
    url = f"/api/v1/em/assignments/{assignment.pk}/track/"
    track = client.get(url)
    assert track.status_code == 200
    times = [p["fix_time"] for p in track.json()["positions"]]
    assert len(times) == 5 and times == sorted(times) and track.json()["truncated"] is False
    assert AuditEvent.objects.filter(action="monitoring.track.view").count() == 1
    for query in ("?from=3000-01-01T00:00:00Z", "?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "?from=junk"):
        assert client.get(url + query).status_code == 400, query
    assert api_client(personas["other_region"]).get(url).status_code == 404


def test_alerts_are_listed_filtered_and_their_detail_audited(personas):
    assignment = fitted(personas["senior"], active_case(personas))
    now = timezone.now()
    opened = Alert.objects.create(
        assignment=assignment,
        device=assignment.device,
        case=assignment.case,
        rule="curfew",
        severity="high",
        opened_at=now,
    )
    Alert.objects.create(
        assignment=assignment,
        device=assignment.device,
        case=assignment.case,
        rule="strap",
        severity="critical",
        opened_at=now - dt.timedelta(hours=1),
        cleared_at=now,
    )
    operator = api_client(personas["monitoring"])
    rows = operator.get("/api/v1/em/alerts/").json()["results"]
    assert [r["rule"] for r in rows] == ["curfew", "strap"]
    assert [r["rule"] for r in operator.get("/api/v1/em/alerts/?open=true").json()["results"]] == ["curfew"]
    assert operator.get("/api/v1/em/alerts/?severity=critical").json()["count"] == 1
    assert api_client(personas["other_region"]).get("/api/v1/em/alerts/").json()["count"] == 0
    detail = operator.get(f"/api/v1/em/alerts/{opened.pk}/")
    assert detail.status_code == 200 and detail.json()["alert"]["open"] is True
    assert AuditEvent.objects.filter(action="monitoring.alert.view", actor=personas["monitoring"]).count() == 1
    assert api_client(personas["court_liaison"]).get("/api/v1/em/alerts/").status_code == 403


def test_a_stock_keeper_of_another_office_gets_404_and_a_reader_403(personas):
    device = stock_device(personas["office_a"])
    assert (
        api_client(personas["other_head"])
        .patch(f"/api/v1/em/devices/{device.pk}/", {"firmware": "9"}, format="json")
        .status_code
        == 404
    )
    assert (
        api_client(personas["officer"])
        .patch(f"/api/v1/em/devices/{device.pk}/", {"firmware": "9"}, format="json")
        .status_code
        == 403
    )

"""The HTTP receivers end to end on the embedded default: device authentication, validation, and
what lands in the SQL log (one entry per request, in the device's partition)."""

from __future__ import annotations

import base64
import json
import time

import orjson
import pytest
from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from openprobation.monitoring import ingest_api
from openprobation.monitoring.catalogue import Channel, DeviceStatus
from openprobation.monitoring.credentials import new_credential
from openprobation.monitoring.models import Device, LogEntry, Position, RejectedMessage
from openprobation.monitoring.pipeline import auth
from openprobation.monitoring.pipeline.evaluator import Evaluator
from openprobation.monitoring.pipeline.log import partition_of
from openprobation.monitoring.pipeline.logs import close_log, get_log
from openprobation.monitoring.pipeline.messages import decode
from openprobation.monitoring.pipeline.receive import Refusal
from openprobation.monitoring.tests.test_auth import make_device
from openprobation.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
POSITIONS = "/api/v1/em/positions"
OSMAND = "/api/v1/em/osmand"


@pytest.fixture(autouse=True)
def _embedded_log():
    auth.clear_cache()
    close_log()
    with override_settings(EM_NATS_URL=""):
        yield
    close_log()
    auth.clear_cache()


@pytest.fixture
def device():
    return make_device("EM-0100")


def basic(serial: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{serial}:{secret}".encode()).decode()


def loc(**fields):
    return {"_type": "location", "lat": 43.2383, "lon": 76.9452, "tst": int(time.time()) - 5, **fields}


def post(body, *, auth_header=None, content_type="application/json", language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    headers = {"HTTP_AUTHORIZATION": auth_header} if auth_header else {}
    return client.post(POSITIONS, data, content_type=content_type, **headers)


def entries():
    return list(LogEntry.objects.order_by("id"))


def test_the_routes_are_named():
    assert reverse("api-em-positions") == POSITIONS
    assert reverse("api-em-osmand") == OSMAND


def test_a_batch_lands_as_one_entry_in_the_device_partition(device):
    dev, secret = device
    response = post([loc(seq=1), loc(seq=2), loc(seq=2)], auth_header=basic("EM-0100", secret))
    assert response.status_code == 202, response.content
    assert response.json() == {"accepted": 3, "refused": 0, "errors": {"locations": []}}
    (entry,) = entries()
    assert entry.partition == partition_of(dev.pk, settings.EM_PARTITIONS)
    batch, events = decode([bytes(entry.payload)])
    assert len(batch) == 3 and events == []
    body = orjson.loads(bytes(entry.payload))
    assert body["c"] == Channel.HTTP and [f[0] for f in body["f"]] == [dev.pk] * 3


def test_devices_land_in_their_own_partitions():
    first, s1 = make_device("EM-0201")
    second, s2 = make_device("EM-0202")
    assert post(loc(seq=1), auth_header=basic("EM-0201", s1)).status_code == 202
    assert post(loc(seq=1), auth_header=basic("EM-0202", s2)).status_code == 202
    assert [e.partition for e in entries()] == [
        partition_of(first.pk, settings.EM_PARTITIONS),
        partition_of(second.pk, settings.EM_PARTITIONS),
    ]


def test_mixed_batch_accepts_the_good_and_counts_the_bad(device):
    dev, secret = device
    response = post([loc(seq=1), loc(lat=123), loc(seq=3, strap="torn")], auth_header=basic("EM-0100", secret))
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1 and body["refused"] == 2
    assert [(e["index"], e["field"], e["code"]) for e in body["errors"]["locations"]] == [
        (1, "lat", "out_of_range"),
        (2, "strap", "unknown_value"),
    ]
    assert RejectedMessage.objects.filter(device=dev, channel=Channel.HTTP).count() == 2
    assert len(entries()) == 1


def test_all_refused_is_400_in_the_house_shape_and_translated(device):
    _dev, secret = device
    response = post([loc(lat="north")], auth_header=basic("EM-0100", secret), language="ru")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "wrong_type" and body["detail"]
    assert body["errors"]["locations"][0]["field"] == "lat"
    assert entries() == []


def test_a_last_will_over_http_is_a_disconnection_event(device):
    dev, secret = device
    response = post({"_type": "lwt", "tst": int(time.time())}, auth_header=basic("EM-0100", secret))
    assert response.status_code == 202
    _batch, events = decode([bytes(entries()[0].payload)])
    assert [(e.device, e.kind) for e in events] == [(dev.pk, "disconnected")]


@pytest.mark.parametrize(
    "header",
    [None, "Basic !!!", "Bearer abc", basic("EM-0100", "wrong"), basic("EM-NONE", "x"), "Basic " + "A" * 600],
)
def test_unauthenticated_is_401_with_a_basic_challenge_and_stores_nothing(device, header):
    response = post(loc(seq=1), auth_header=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert response.json()["code"] == "device_not_authenticated"
    assert entries() == [] and not RejectedMessage.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"lat": NaN, "lon": 1, "tst": 1}', "application/json", 400, "invalid_json"),
        (b'{"lat": Infinity, "lon": 1, "tst": 1}', "application/json", 400, "invalid_json"),
        (b'{"lat": 1e309, "lon": 1, "tst": 1}', "application/json", 400, "invalid_json"),
        ('{"lat": "١٢", "lon": 1, "tst": 1}'.encode(), "application/json", 400, "wrong_type"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "invalid_json"),
        (b'{"a": ' * 3000 + b"1" + b"}" * 3000, "application/json", 400, "invalid_json"),
        (b"[" + b",".join([b'{"lat": 1}'] * 200_000) + b"]", "application/json", 413, "too_large"),
        (b"lat=1&lon=2", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"\x00\xff", "application/json", 400, "invalid_json"),
        (b" ", "application/json", 400, "invalid_json"),
    ],
)
def test_odd_input_is_a_clear_4xx(device, body, content_type, status, code):
    _dev, secret = device
    response = post(body, auth_header=basic("EM-0100", secret), content_type=content_type)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert entries() == []


def test_get_on_positions_is_405_in_json(device):
    response = Client().get(POSITIONS)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_osmand_get_with_key(device):
    dev, secret = device
    now = int(time.time())
    response = Client().get(
        OSMAND, {"id": "EM-0100", "key": secret, "lat": "43.2", "lon": "76.9", "timestamp": now, "speed": "1"}
    )
    assert response.status_code == 202, response.content
    batch, _events = decode([bytes(entries()[0].payload)])
    assert len(batch) == 1
    assert orjson.loads(bytes(entries()[0].payload))["c"] == Channel.OSMAND


def test_osmand_post_with_basic_auth_and_form_body(device):
    _dev, secret = device
    response = Client().post(
        OSMAND + f"?id=EM-0100&timestamp={int(time.time())}",
        {"lat": "43.2", "lon": "76.9"},
        HTTP_AUTHORIZATION=basic("EM-0100", secret),
    )
    assert response.status_code == 202, response.content


def test_osmand_refusals(device):
    dev, secret = device
    response = Client().get(OSMAND, {"id": "EM-0100", "key": secret, "lat": "١٢", "lon": "76.9", "timestamp": "1"})
    assert response.status_code == 400 and response.json()["code"] == "not_a_number"
    assert Client().get(OSMAND, {"id": "EM-0100", "key": "nope", "lat": "1", "lon": "1"}).status_code == 401
    assert Client().get(OSMAND).status_code == 401
    assert RejectedMessage.objects.filter(device=dev, channel=Channel.OSMAND).count() == 1
    assert entries() == []


def test_a_staff_session_cannot_post_positions(device, client):
    client.force_login(UserFactory(username="staff"))
    response = client.post(POSITIONS, json.dumps(loc()), content_type="application/json")
    assert response.status_code == 401
    assert entries() == []


# --- the device endpoints' short path: the guarantees it keeps ------------------------------------


@pytest.mark.parametrize("good", [True, False])
def test_device_answers_carry_the_security_headers_and_set_no_cookie(device, good):
    _dev, secret = device
    response = post(loc(seq=1), auth_header=basic("EM-0100", secret if good else "wrong"))
    assert response.status_code == (202 if good else 401)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert len(response["X-Request-ID"]) >= 16
    assert response["Content-Language"] == "en" and "Accept-Language" in response["Vary"]
    assert not response.cookies


def test_a_disallowed_host_is_refused_in_json(device):
    _dev, secret = device
    response = Client(HTTP_HOST="evil.example").post(
        POSITIONS, orjson.dumps(loc()), content_type="application/json", HTTP_AUTHORIZATION=basic("EM-0100", secret)
    )
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert entries() == []


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_refusals_are_in_the_language_of_accept_language(device, language):
    _dev, secret = device
    response = post([loc(), loc(lat="north")], auth_header=basic("EM-0100", secret), language=language)
    assert response.status_code == 202 and response["Content-Language"] == language
    with translation.override(language):
        expected = str(Refusal(1, "lat", "wrong_type").message)
    assert expected != "This field must be a number."
    assert response.json()["errors"]["locations"] == [
        {"index": 1, "field": "lat", "code": "wrong_type", "message": expected}
    ]
    unauthenticated = post(loc(), auth_header=basic("EM-0100", "wrong"), language=language)
    with translation.override(language):
        assert unauthenticated.json()["detail"] == translation.gettext(
            "A device serial and its credential are required, and the device must be assigned."
        )


def test_a_rotated_credential_is_refused_once_the_cache_expires(device, monkeypatch):
    dev, old = device
    assert post(loc(seq=1), auth_header=basic("EM-0100", old)).status_code == 202
    new, digest = new_credential()
    Device.objects.filter(pk=dev.pk).update(credential_hash=digest)
    clock = auth.time.monotonic() + auth.CACHE_TTL_S + 1
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock)
    assert post(loc(seq=2), auth_header=basic("EM-0100", old)).status_code == 401
    assert post(loc(seq=3), auth_header=basic("EM-0100", new)).status_code == 202
    assert len(entries()) == 2


@pytest.mark.parametrize("status", [DeviceStatus.LOST, DeviceStatus.RETIRED, DeviceStatus.IN_REPAIR])
def test_a_device_that_may_not_report_is_refused_like_an_unknown_one(status):
    _dev, secret = make_device("EM-0300", status=status)
    response = post(loc(seq=1), auth_header=basic("EM-0300", secret))
    assert response.status_code == 401 and response.json()["code"] == "device_not_authenticated"
    assert entries() == [] and not RejectedMessage.objects.exists()


def test_no_database_for_authentication_is_a_503_to_send_again(device, monkeypatch):
    _dev, secret = device

    def down(*_args):
        raise OperationalError("the database went away")

    monkeypatch.setattr(auth, "authenticate", down)
    response = post(loc(seq=1), auth_header=basic("EM-0100", secret))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "log_unavailable"


def test_no_log_is_a_503_to_send_again_and_nothing_is_accepted(device, monkeypatch):
    _dev, secret = device

    class Down:
        def append(self, partition, payloads):
            raise ConnectionError("the log went away")

    monkeypatch.setattr(ingest_api, "get_log", Down)
    response = post([loc(seq=1), loc(seq=2)], auth_header=basic("EM-0100", secret))
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "log_unavailable" and entries() == []


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"tst": 10**18}, "in_future"),
        ({"tst": -(10**18)}, "too_old"),
        ({"tst": 2**64 - 1}, "in_future"),
        ({"tst": 1e308}, "in_future"),
        ({"seq": 2**64 - 1}, "out_of_range"),
        ({"lat": "٤٣٫٢"}, "wrong_type"),
        ({"lat": {"deg": 43}}, "wrong_type"),
    ],
)
def test_far_dates_and_odd_values_are_a_clear_400(device, fields, code):
    _dev, secret = device
    response = post(loc(**fields), auth_header=basic("EM-0100", secret))
    assert response.status_code == 400 and response.json()["code"] == code
    assert response.json()["detail"]


def test_more_than_a_thousand_locations_is_a_400(device):
    _dev, secret = device
    response = post([loc(seq=i) for i in range(1001)], auth_header=basic("EM-0100", secret))
    assert response.status_code == 400 and response.json()["code"] == "too_many"


def test_other_addresses_go_down_the_whole_stack():
    seen = []

    def rest(request):
        seen.append(request.path)
        return HttpResponse("rest")

    middleware = ingest_api.DeviceIngestMiddleware(rest)
    factory = RequestFactory()
    assert middleware(factory.get("/api/v1/em/alerts/")).content == b"rest"
    assert middleware(factory.post(POSITIONS + "/")).content == b"rest"
    response = middleware(factory.post(POSITIONS, b"{}", content_type="application/json"))
    assert response.status_code == 401 and seen == ["/api/v1/em/alerts/", POSITIONS + "/"]


@pytest.mark.django_db(transaction=True)
def test_a_batch_sent_again_is_accepted_again_and_stored_once(device):
    # A device that lost the answer sends the batch again: the evaluator keeps one of each fix.
    dev, secret = device
    batch = [loc(seq=1, tst=int(time.time()) - 30), loc(seq=2, tst=int(time.time()) - 15)]
    for _attempt in range(2):
        response = post(batch, auth_header=basic("EM-0100", secret))
        assert response.status_code == 202 and response.json()["accepted"] == 2
    assert len(entries()) == 2
    log = get_log()
    evaluator = Evaluator(log, range(log.partitions), fetch_wait_s=0.0, config_poll_s=0.0, advisory_locks=False)
    evaluator.start()
    assert sum(evaluator.step() for _ in range(3)) == 2
    evaluator.close()
    assert Position.objects.filter(device_id=dev.pk).count() == 2


def test_refused_elements_that_cannot_be_stored_are_counted_and_the_good_ones_still_go_in(device, monkeypatch):
    dev, secret = device

    def down(*_args, **_kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(RejectedMessage.objects, "bulk_create", down)
    response = post([loc(seq=1), loc(lat=91)], auth_header=basic("EM-0100", secret))
    assert response.status_code == 202 and response.json()["accepted"] == 1
    assert len(entries()) == 1 and auth.dropped_rejections[dev.pk] == 1

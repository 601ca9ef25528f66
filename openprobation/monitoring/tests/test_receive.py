"""Parsing and validating what devices send (pure functions, no database)."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest

from openprobation.monitoring.catalogue import FixQuality, Strap
from openprobation.monitoring.pipeline.messages import decode, encode
from openprobation.monitoring.pipeline.receive import (
    KNOTS_TO_KMH,
    MAX_BATCH,
    parse_osmand,
    parse_owntracks,
    with_device,
)

NOW = 1_780_000_000.0


def loc(**fields):
    base = {"_type": "location", "lat": 43.2383, "lon": 76.9452, "tst": int(NOW) - 10}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def parse(doc, **kw):
    return parse_owntracks(orjson.dumps(doc) if not isinstance(doc, bytes) else doc, now=NOW, **kw)


def codes(result):
    return [(r.index, r.field, r.code) for r in result.refusals]


def test_one_location_with_every_field():
    result = parse(
        loc(
            acc=12, batt=81, vel=36, cog=359.6, seq=77, strap="opened", fix="last_known", charging=True, t="u", tid="ab"
        )
    )
    assert codes(result) == []
    (fix,) = result.fixes
    assert fix == (0, NOW - 10, 77, 43.2383, 76.9452, 12.0, 81, 36.0, 0, Strap.OPENED, FixQuality.LAST_KNOWN, 1)


def test_missing_optional_fields_are_not_reported():
    (fix,) = parse(loc()).fixes
    assert fix == (0, NOW - 10, None, 43.2383, 76.9452, None, None, None, None, None, FixQuality.VALID, None)


def test_array_and_batch_object_and_other_message_types():
    assert len(parse([loc(seq=1), loc(seq=2)]).fixes) == 2
    assert len(parse({"_type": "batch", "locations": [loc(seq=1), loc(seq=2), loc(seq=3)]}).fixes) == 3
    result = parse([loc(seq=1), {"_type": "transition", "event": "leave"}, {"_type": "lwt", "tst": 1}])
    assert len(result.fixes) == 1 and result.last_will and not result.refusals


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"lat": ...}, "lat", "missing"),
        ({"lon": ...}, "lon", "missing"),
        ({"tst": ...}, "tst", "missing"),
        ({"lat": "43.2"}, "lat", "wrong_type"),
        ({"lat": True}, "lat", "wrong_type"),
        ({"lat": [1]}, "lat", "wrong_type"),
        ({"lat": 90.0001}, "lat", "out_of_range"),
        ({"lon": -180.5}, "lon", "out_of_range"),
        ({"tst": NOW - 8 * 86400}, "tst", "too_old"),
        ({"tst": NOW + 301}, "tst", "in_future"),
        ({"tst": "١٢"}, "tst", "wrong_type"),
        ({"acc": -1}, "acc", "out_of_range"),
        ({"acc": 100_001}, "acc", "out_of_range"),
        ({"batt": 101}, "batt", "out_of_range"),
        ({"vel": 1001}, "vel", "out_of_range"),
        ({"cog": 361}, "cog", "out_of_range"),
        ({"seq": -1}, "seq", "out_of_range"),
        ({"seq": 2**53 + 1}, "seq", "out_of_range"),
        ({"seq": 1.5}, "seq", "not_an_integer"),
        ({"seq": "1"}, "seq", "not_an_integer"),
        ({"strap": "broken"}, "strap", "unknown_value"),
        ({"fix": 0}, "fix", "unknown_value"),
        ({"charging": "yes"}, "charging", "not_a_boolean"),
    ],
)
def test_each_refusal_has_its_code(fields, field, code):
    result = parse(loc(**fields))
    assert codes(result) == [(0, field, code)]
    assert result.fixes == [] and not result.body_refused
    assert result.refusals[0].message  # a translated sentence


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"lat": NaN, "lon": 1, "tst": 1}', "invalid_json"),
        (b'{"lat": Infinity, "lon": 1, "tst": 1}', "invalid_json"),
        (b'{"lat": 1e309, "lon": 1, "tst": 1}', "invalid_json"),
        (b"[" * 5000 + b"]" * 5000, "invalid_json"),
        (b"not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b'"a string"', "not_a_location"),
        (b"42", "not_a_location"),
        (b'{"_type": "batch", "locations": 3}', "not_a_location"),
        (b"[]", "empty"),
        (b"x" * 1_000_001, "too_large"),
    ],
)
def test_bodies_refused_whole(body, code):
    result = parse(body)
    assert result.body_refused and codes(result) == [(0, "", code)]


def test_at_most_a_thousand_per_batch():
    assert parse([loc()] * MAX_BATCH).accepted == MAX_BATCH
    assert codes(parse([loc()] * (MAX_BATCH + 1))) == [(0, "", "too_many")]


def test_a_mixed_batch_keeps_the_good_ones_and_names_the_bad():
    result = parse([loc(seq=1), loc(lat=91), "junk", loc(seq=4), {"lat": 1}])
    assert [f[2] for f in result.fixes] == [1, 4]
    assert codes(result) == [(1, "lat", "out_of_range"), (2, "", "not_a_location"), (4, "lon", "missing")]


def test_shuffled_and_duplicated_messages_pass_through_in_order_received():
    # Deduplication and ordering are the evaluator's: the receiver keeps what it was given.
    seqs = [3, 1, 2, 2, 3]
    result = parse([loc(seq=s, tst=int(NOW) - 100 + s) for s in seqs])
    assert [f[2] for f in result.fixes] == seqs


def test_fixes_round_trip_through_a_log_payload():
    result = parse([loc(seq=1, acc=5, batt=50, strap="cut"), loc(seq=2)])
    payload = encode(received=NOW, channel=1, fixes=with_device(result.fixes, 42))
    batch, events = decode([payload])
    assert len(batch) == 2 and events == []


def test_osmand_parameters():
    result = parse_osmand(
        {
            "id": "EM-1",
            "timestamp": str(int(NOW) - 5),
            "lat": "43.25",
            "lon": "76.95",
            "accuracy": "7.5",
            "battery": "64",
            "speed": "10",
            "heading": "90",
            "altitude": "800",
            "seq": "9",
            "strap": "intact",
            "charging": "true",
        },
        now=NOW,
    )
    assert result.serial == "EM-1" and codes(result) == []
    (fix,) = result.fixes
    assert list(fix[1:]) == [
        NOW - 5,
        9,
        43.25,
        76.95,
        7.5,
        64,
        pytest.approx(10 * KNOTS_TO_KMH),
        90,
        Strap.INTACT,
        0,
        1,
    ]


def test_osmand_iso_and_millisecond_timestamps():
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW - 60))
    assert parse_osmand({"id": "x", "lat": "1", "lon": "2", "timestamp": iso}, now=NOW).fixes[0][1] == NOW - 60
    spaced = time.strftime("%Y-%m-%dT%H:%M:%S 00:00", time.gmtime(NOW - 60))  # "+" decoded as a space
    assert parse_osmand({"id": "x", "lat": "1", "lon": "2", "timestamp": spaced}, now=NOW).fixes[0][1] == NOW - 60
    ms = str(int((NOW - 60) * 1000))
    assert parse_osmand({"id": "x", "lat": "1", "lon": "2", "timestamp": ms}, now=NOW).fixes[0][1] == NOW - 60


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"lat": "١٢"}, "lat", "not_a_number"),
        ({"lat": "nan"}, "lat", "not_a_number"),
        ({"lat": "inf"}, "lat", "not_a_number"),
        ({"lat": "1e309"}, "lat", "out_of_range"),
        ({"lon": "200"}, "lon", "out_of_range"),
        ({"lat": ""}, "lat", "missing"),
        ({"timestamp": "yesterday"}, "timestamp", "bad_time"),
        ({"timestamp": "٢٠٢٦-01-01"}, "timestamp", "bad_time"),
        ({"timestamp": str(int(NOW) + 3600)}, "timestamp", "in_future"),
        ({"battery": "101"}, "battery", "out_of_range"),
        ({"speed": "-1"}, "speed", "out_of_range"),
        ({"seq": "1.5"}, "seq", "not_an_integer"),
        ({"charging": "maybe"}, "charging", "not_a_boolean"),
        ({"fix": "great"}, "fix", "unknown_value"),
    ],
)
def test_osmand_refusals(params, field, code):
    base = {"id": "EM-1", "lat": "43.25", "lon": "76.95", "timestamp": str(int(NOW))}
    result = parse_osmand({**base, **params}, now=NOW)
    assert codes(result) == [(0, field, code)] and result.fixes == []


# --- the one-pass check of plain locations agrees with the field-by-field one ----------------------

_VALUES: dict[str, list[Any]] = {
    "lat": [43.2, 43, -90, 90, 90.0001, -90.5, True, "43", None, float("nan"), float("inf"), [1]],
    "lon": [76.9, 76, -180, 180.0, 180.5, False, None, "x", float("-inf")],
    "tst": [NOW - 10, int(NOW), NOW - 7 * 86400, NOW - 7 * 86400 - 1, NOW + 300, NOW + 301, True, None, "1"],
    "acc": [None, 0, 8, 100_000, 100_000.5, -1, True, "8", float("nan")],
    "batt": [None, 0, 80, 80.5, 100, 101, False, "80"],
    "vel": [None, 0, 1.5, 1000, 1000.1, -0.1, "1"],
    "cog": [None, 0, 359.6, 360, 361, -1, True],
    "seq": [None, 0, 7, 2**53, 2**53 + 1, -1, 7.0, 7.5, True, "7"],
    "strap": [None, "intact", "cut", "torn", 1, ["intact"]],
    "fix": [None, "valid", "last_known", "great", 0],
    "charging": [None, True, False, 0, 1, 2, 1.0, "true"],
}


def _reference(location):
    from openprobation.monitoring.pipeline import receive

    try:
        return receive._location(location, NOW)
    except receive._Invalid:
        return None


def test_the_one_pass_check_accepts_exactly_what_the_full_check_accepts():
    import random

    from openprobation.monitoring.pipeline.receive import MAX_AGE_S, MAX_AHEAD_S, _plain_location

    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    names = list(_VALUES)
    fast_hits = 0
    cases = [{name: values[0] for name, values in _VALUES.items()}]
    cases += [{**cases[0], name: value} for name in names for value in _VALUES[name]]
    cases += [{name: rng.choice(_VALUES[name]) for name in names} for _ in range(5000)]
    for case in cases:
        location = {k: v for k, v in case.items() if v is not None or rng.random() < 0.5}
        fast = _plain_location(location, NOW - MAX_AGE_S, NOW + MAX_AHEAD_S)
        if fast is None:
            continue  # the full check decides (and names the fault)
        fast_hits += 1
        expected = _reference(location)
        assert expected is not None, location
        assert fast == expected and [type(v) for v in fast] == [type(v) for v in expected], location
    assert fast_hits >= 40  # the common shapes do take the one pass


def test_fixes_carry_the_device_when_the_receiver_knows_it():
    result = parse([loc(seq=1), loc(seq=7.0), loc(lat=91)], device=42)
    assert [f[0] for f in result.fixes] == [42, 42] and result.device == 42
    assert [f[2] for f in result.fixes] == [1, 7] and codes(result) == [(2, "lat", "out_of_range")]
    assert [f[0] for f in parse([loc(seq=1)]).fixes] == [0]


def test_a_batch_parses_the_same_with_or_without_the_one_pass_check(monkeypatch):
    from openprobation.monitoring.pipeline import receive

    batch = [loc(seq=1, acc=5, batt=50.4, cog=359.7, strap="cut", charging=1), loc(lat=91), loc(seq=7.0), loc(tst=1)]
    fast = parse(batch)
    monkeypatch.setattr(receive, "_plain_location", lambda *_a: None)
    slow = parse(batch)
    assert fast.fixes == slow.fixes and codes(fast) == codes(slow) and len(fast.fixes) == 2

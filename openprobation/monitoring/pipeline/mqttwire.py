"""The MQTT 5 packets the receiver exchanges with the broker, encoded and decoded by hand.

The receiver is a subscriber only: it sends CONNECT, SUBSCRIBE, PUBACK, PINGREQ and DISCONNECT and
reads CONNACK, SUBACK, PUBLISH (QoS 0 and 1), PINGRESP and DISCONNECT. A general client library
reads a PUBLISH with several system calls and a dozen Python objects; ``split`` cuts every complete
packet out of one large read in a tight loop, so the socket is drained faster than the broker fills
it (a subscriber that reads slowly makes Mosquitto queue, and past ``max_queued_messages``, drop
QoS 1 messages), and ``pubacks`` acknowledges a whole batch in one write.

Specification: MQTT Version 5.0 (OASIS Standard, 2019), sections 2-3.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK = 0x10, 0x20, 0x30, 0x40, 0x82, 0x90
UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 0xA2, 0xB0, 0xC0, 0xD0, 0xE0
PINGREQ_PACKET = b"\xc0\x00"
DISCONNECT_PACKET = b"\xe0\x00"  # normal disconnection: the session is kept for its expiry interval
# Normal disconnection setting the session expiry interval to 0: the broker ends the session now.
DISCONNECT_ENDING_SESSION = b"\xe0\x07\x00\x05\x11\x00\x00\x00\x00"

# Subscription options (3.8.3.1): retain handling 1 = send retained messages only for a new
# subscription (a receiver that resumes its session is not sent every device's last position again).
RETAIN_IF_NEW = 0x10

# A received PUBLISH: (packet id, QoS, topic, payload, receipt time). Plain tuples: the hot path.
Publish = tuple[int, int, bytes, bytes, float]

# Property identifier -> value type (2.2.2.2).
_BYTE, _TWO, _FOUR, _VARINT, _STRING, _BINARY, _PAIR = range(7)
_PROPERTY_TYPES = {
    0x01: _BYTE,
    0x02: _FOUR,
    0x03: _STRING,
    0x08: _STRING,
    0x09: _BINARY,
    0x0B: _VARINT,
    0x11: _FOUR,
    0x12: _STRING,
    0x13: _TWO,
    0x15: _STRING,
    0x16: _BINARY,
    0x17: _BYTE,
    0x18: _FOUR,
    0x19: _BYTE,
    0x1A: _STRING,
    0x1C: _STRING,
    0x1F: _STRING,
    0x21: _TWO,
    0x22: _TWO,
    0x23: _TWO,
    0x24: _BYTE,
    0x25: _BYTE,
    0x26: _PAIR,
    0x27: _FOUR,
    0x28: _BYTE,
    0x29: _BYTE,
    0x2A: _BYTE,
}
SERVER_KEEP_ALIVE, REASON_STRING, SESSION_EXPIRY, RECEIVE_MAXIMUM = 0x13, 0x1F, 0x11, 0x21


class ProtocolError(Exception):
    """The broker sent something this client does not accept; the connection is dropped."""


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(value: bytes) -> bytes:
    return len(value).to_bytes(2, "big") + value


def _packet(first: int, body: bytes) -> bytes:
    return bytes([first]) + varint(len(body)) + body


def connect(
    client_id: str,
    *,
    keepalive: int,
    clean_start: bool,
    session_expiry: int,
    receive_maximum: int,
    username: str | None = None,
    password: str | None = None,
) -> bytes:
    flags = (0x02 if clean_start else 0) | (0x80 if username is not None else 0) | (0x40 if password is not None else 0)
    properties = b"\x21" + receive_maximum.to_bytes(2, "big")
    if session_expiry:
        properties += b"\x11" + session_expiry.to_bytes(4, "big")
    body = _string(b"MQTT") + bytes([5, flags]) + keepalive.to_bytes(2, "big") + varint(len(properties)) + properties
    body += _string(client_id.encode())
    if username is not None:
        body += _string(username.encode())
    if password is not None:
        body += _string(password.encode())
    return _packet(CONNECT, body)


def subscribe(packet_id: int, filters: Sequence[tuple[str, int]]) -> bytes:
    """SUBSCRIBE to (topic filter, options byte) pairs: the options carry the QoS in bits 0-1."""
    body = packet_id.to_bytes(2, "big") + b"\x00"
    for topic, options in filters:
        body += _string(topic.encode()) + bytes([options])
    return _packet(SUBSCRIBE, body)


def unsubscribe(packet_id: int, topics: Sequence[str]) -> bytes:
    body = packet_id.to_bytes(2, "big") + b"\x00" + b"".join(_string(t.encode()) for t in topics)
    return _packet(UNSUBSCRIBE, body)


def pubacks(packet_ids: Sequence[int]) -> bytes:
    """PUBACKs (success, no properties: four bytes each) for many messages, as one write."""
    return struct.pack(f">{len(packet_ids)}I", *[0x40020000 | mid for mid in packet_ids])


def _varint_at(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            raise ProtocolError("truncated variable byte integer")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 21:
            raise ProtocolError("variable byte integer longer than four bytes")


def properties(data: bytes, pos: int) -> tuple[dict[int, Any], int]:
    """The properties at ``pos`` (length first) as {identifier: value}, and the position after them."""
    length, pos = _varint_at(data, pos)
    end = pos + length
    if end > len(data):
        raise ProtocolError("properties run past the packet")
    found: dict[int, Any] = {}
    while pos < end:
        ident, pos = _varint_at(data, pos)
        kind = _PROPERTY_TYPES.get(ident)
        value: Any
        if kind == _BYTE:
            value, pos = data[pos], pos + 1
        elif kind == _TWO:
            value, pos = int.from_bytes(data[pos : pos + 2], "big"), pos + 2
        elif kind == _FOUR:
            value, pos = int.from_bytes(data[pos : pos + 4], "big"), pos + 4
        elif kind == _VARINT:
            value, pos = _varint_at(data, pos)
        elif kind in (_STRING, _BINARY):
            size = int.from_bytes(data[pos : pos + 2], "big")
            raw = data[pos + 2 : pos + 2 + size]
            value, pos = (raw.decode("utf-8", "replace") if kind == _STRING else raw), pos + 2 + size
        elif kind == _PAIR:
            size = int.from_bytes(data[pos : pos + 2], "big")
            key_end = pos + 2 + size
            size2 = int.from_bytes(data[key_end : key_end + 2], "big")
            value = (data[pos + 2 : key_end].decode("utf-8", "replace"), data[key_end + 2 : key_end + 2 + size2])
            pos = key_end + 2 + size2
        else:
            raise ProtocolError(f"unknown property 0x{ident:02x}")
        found[ident] = value
    if pos != end:
        raise ProtocolError("malformed properties")
    return found, end


def connack(body: bytes) -> tuple[bool, int, dict[int, Any]]:
    """(session present, reason code, properties) of a CONNACK."""
    if len(body) < 2:
        raise ProtocolError("short CONNACK")
    props = properties(body, 2)[0] if len(body) > 2 else {}
    return bool(body[0] & 0x01), body[1], props


def suback(body: bytes) -> tuple[int, list[int]]:
    """(packet id, reason codes) of a SUBACK: a code below 0x80 is the granted QoS."""
    if len(body) < 3:
        raise ProtocolError("short SUBACK")
    pos = properties(body, 2)[1]
    return int.from_bytes(body[:2], "big"), list(body[pos:])


def disconnect_reason(body: bytes) -> tuple[int, str]:
    """(reason code, reason string) of a DISCONNECT the broker sent."""
    if not body:
        return 0, ""
    props = properties(body, 1)[0] if len(body) > 1 else {}
    return body[0], str(props.get(REASON_STRING, ""))


def split(buf: bytes, received: float) -> tuple[list[Publish], list[tuple[int, bytes]], int]:
    """Every complete packet at the start of ``buf``: the PUBLISHes as ``Publish`` tuples, the other
    packets as (first byte, body), and how many bytes they used (the rest is a partial packet)."""
    publishes: list[Publish] = []
    others: list[tuple[int, bytes]] = []
    append = publishes.append
    pos = 0
    end = len(buf)
    while pos + 2 <= end:
        first = buf[pos]
        byte = buf[pos + 1]
        length = byte & 0x7F
        i = pos + 2
        if byte & 0x80:
            shift = 7
            while True:
                if i >= end:
                    return publishes, others, pos
                byte = buf[i]
                i += 1
                length |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    break
                shift += 7
                if shift > 21:
                    raise ProtocolError("remaining length longer than four bytes")
        stop = i + length
        if stop > end:
            break
        if first & 0xF0 == PUBLISH:
            qos = (first >> 1) & 0x03
            k = i + 2 + ((buf[i] << 8) | buf[i + 1])
            topic = buf[i + 2 : k]
            mid = 0
            if qos:
                if qos > 1:
                    raise ProtocolError("a QoS 2 PUBLISH on a QoS 1 subscription")
                mid = (buf[k] << 8) | buf[k + 1]
                k += 2
            size = buf[k]  # the properties' length: one byte unless 128 bytes or more
            if size & 0x80:
                size, k = _varint_at(buf, k)
                k += size
            else:
                k += 1 + size
            if k > stop:
                raise ProtocolError("PUBLISH header runs past the packet")
            append((mid, qos, topic, buf[k:stop], received))
        else:
            others.append((first, buf[i:stop]))
        pos = stop
    return publishes, others, pos


def packet_ids(messages: Iterable[Publish]) -> list[int]:
    """The packet ids of the QoS 1 messages (QoS 0 ones are not acknowledged)."""
    return [m[0] for m in messages if m[1]]

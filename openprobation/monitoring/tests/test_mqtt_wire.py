"""The MQTT 5 packets of the receiver (``pipeline.mqttwire``): cut from a byte stream however it is
chunked, and encoded as the broker expects."""

from __future__ import annotations

from openprobation.monitoring.pipeline import mqttwire as wire


def test_packets_cut_from_a_stream_in_any_chunking():
    def publish(topic: bytes, payload: bytes, mid: int, qos: int, props: bytes = b"\x00") -> bytes:
        variable = len(topic).to_bytes(2, "big") + topic + (mid.to_bytes(2, "big") if qos else b"") + props + payload
        return bytes([0x30 | qos << 1]) + wire.varint(len(variable)) + variable

    long_props = b"\x26" + len(b"k").to_bytes(2, "big") + b"k" + (200).to_bytes(2, "big") + b"v" * 200
    stream = (
        publish(b"owntracks/a/X1", b'{"lat":1}', 7, 1)
        + b"\xd0\x00"  # PINGRESP
        + publish(b"$SYS/broker/publish/messages/dropped", b"12", 0, 0)
        + publish(b"owntracks/a/X2", b"p" * 300, 65535, 1, wire.varint(len(long_props)) + long_props)
    )
    for size in (1, 2, 3, 7, 64, len(stream)):
        buf, got, others = b"", [], []
        for start in range(0, len(stream), size):
            buf += stream[start : start + size]
            publishes, controls, used = wire.split(buf, 1.0)
            buf = buf[used:]
            got += publishes
            others += controls
        assert buf == b""
        assert [(m[0], m[1], m[2], m[3]) for m in got] == [
            (7, 1, b"owntracks/a/X1", b'{"lat":1}'),
            (0, 0, b"$SYS/broker/publish/messages/dropped", b"12"),
            (65535, 1, b"owntracks/a/X2", b"p" * 300),
        ]
        assert others == [(0xD0, b"")]
    assert wire.pubacks([1, 65535]) == b"\x40\x02\x00\x01\x40\x02\xff\xff"
    assert wire.packet_ids(got) == [7, 65535]


def test_connect_packet_asks_for_a_window_and_a_session():
    packet = wire.connect(
        "rx", keepalive=30, clean_start=False, session_expiry=604800, receive_maximum=65535, username="u", password="p"
    )
    assert packet[0] == 0x10
    body = packet[2:]
    assert body[:7] == b"\x00\x04MQTT\x05" and body[7] == 0xC0  # username, password, clean start off
    props, pos = wire.properties(body, 10)
    assert props == {wire.RECEIVE_MAXIMUM: 65535, wire.SESSION_EXPIRY: 604800}
    assert body[pos:] == b"\x00\x02rx\x00\x01u\x00\x01p"
    assert wire.connack(b"\x01\x00\x03\x13\x00\x3c") == (True, 0, {wire.SERVER_KEEP_ALIVE: 60})
    assert wire.suback(b"\x00\x01\x00\x01\x87") == (1, [1, 0x87])

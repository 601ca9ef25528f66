"""The embedded default's background services: started in name order, a failing one skipped, and
told where the web server listens (the demo's devices report to it)."""

from __future__ import annotations

import pytest

from openprobation.core import background


@pytest.fixture
def starters(monkeypatch):
    monkeypatch.setattr(background, "_starters", {})
    monkeypatch.setattr(background, "_server_url", "http://127.0.0.1:8000")
    return background._starters


@pytest.mark.parametrize(
    ("addrport", "url"),
    [
        ("", "http://127.0.0.1:8000"),
        ("8001", "http://127.0.0.1:8001"),
        ("127.0.0.1:8199", "http://127.0.0.1:8199"),
        ("0.0.0.0:9000", "http://0.0.0.0:9000"),
        ("[::1]:8002", "http://[::1]:8002"),
    ],
)
def test_the_services_learn_where_the_server_listens(starters, addrport, url):
    seen = []
    background.register_background("probe", lambda: seen.append(background.server_url()))
    background.start_all(addrport=addrport)
    assert seen == [url]


def test_services_start_in_name_order_and_a_failing_one_is_skipped(starters):
    order = []

    def failing():
        order.append("b")
        raise RuntimeError("broken")

    def started():
        order.append("c")
        return lambda: None

    background.register_background("c", started)
    background.register_background("b", failing)
    background.register_background("a", lambda: order.append("a"))
    stops = background.start_all()
    assert order == ["a", "b", "c"]
    assert len(stops) == 1  # only "c" returned a stop

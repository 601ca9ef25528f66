"""Who is on the other end of a request: the one place that decides the client address and whether
a client-sent request id may be kept.

Forwarding headers (``X-Forwarded-For``, ``X-Request-ID``) are believed only when the request
comes from a proxy listed in ``TRUSTED_PROXIES``; anyone else could write whatever they like in
them to hide, or to rotate their address past a throttle or a sign-in limit. The audit context,
the API throttles (``core.throttling``), django-axes and the per-address sign-in limit all call
``client_address``. The settings import this module, so it must not import DRF.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

REQUEST_ID_MIN, REQUEST_ID_MAX = 8, 64


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``["10.0.0.0/8", "192.0.2.1"]`` as networks; a bad entry raises ``ValueError`` naming it."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (CIDR)") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def _meta(request: Any) -> Any:
    # A DRF Request proxies META to the HttpRequest; both work here.
    return request.META


def via_trusted_proxy(request: Any) -> bool:
    """Whether the peer that sent this request (REMOTE_ADDR) is one of the configured proxies."""
    networks = _trusted_networks()
    return bool(networks) and _is_trusted(_address(_meta(request).get("REMOTE_ADDR", "") or ""), networks)


def client_address(request: Any) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy; then the right-most
    address in ``X-Forwarded-For`` that is not a trusted proxy (entries left of it were written
    by the client and prove nothing). Garbage in the header stops the walk at the nearest address
    we can vouch for."""
    meta = _meta(request)
    remote = (meta.get("REMOTE_ADDR", "") or "").strip()
    networks = _trusted_networks()
    if not networks or not _is_trusted(_address(remote), networks):
        return remote
    seen = remote
    hops = [hop.strip() for hop in (meta.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return seen
        seen = str(address)
        if not _is_trusted(address, networks):
            return seen
    return seen


def trusted_request_id(request: Any) -> str:
    """A sane ``X-Request-ID`` set by a trusted proxy, else ``""`` (the caller makes a new one)."""
    incoming = _meta(request).get("HTTP_X_REQUEST_ID", "") or ""
    if not via_trusted_proxy(request):
        return ""
    if REQUEST_ID_MIN <= len(incoming) <= REQUEST_ID_MAX and incoming.replace("-", "").isalnum() and incoming.isascii():
        return str(incoming)
    return ""

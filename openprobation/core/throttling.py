"""API throttles that count per client address as ``core.network.client_address`` decides it."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle

from openprobation.core.network import client_address


class ClientAddressThrottleMixin:
    """DRF throttles count per ``client_address``, not per the raw ``X-Forwarded-For`` header
    (DRF's default, which a client rotates to escape the limit)."""

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class AddressAnonRateThrottle(ClientAddressThrottleMixin, AnonRateThrottle):
    """The anonymous rate (``DEFAULT_THROTTLE_RATES["anon"]``) per client address."""

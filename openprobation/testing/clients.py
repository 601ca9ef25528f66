"""Signed-in test clients for the web pages and the API, in a chosen language."""

from __future__ import annotations

from typing import Any

from django.test import Client
from rest_framework.test import APIClient


def api_client(user: Any, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def web_client(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client

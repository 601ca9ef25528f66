"""Monitoring pages: resolutions (see ``monitoring.urls``)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

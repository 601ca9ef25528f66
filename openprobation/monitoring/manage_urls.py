"""Devices, assignments, zones, schedules, alerts and tracks for staff."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

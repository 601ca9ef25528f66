"""What devices send: positions (OwnTracks JSON), OsmAnd query parameters."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

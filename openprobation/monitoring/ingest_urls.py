"""What devices send: positions (OwnTracks JSON), OsmAnd query parameters."""

from django.urls import URLPattern, path

from openprobation.monitoring import ingest_api

urlpatterns: list[URLPattern] = [
    path("em/positions", ingest_api.positions, name="api-em-positions"),
    path("em/osmand", ingest_api.osmand, name="api-em-osmand"),
]

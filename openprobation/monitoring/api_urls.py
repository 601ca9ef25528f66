"""The electronic-monitoring API under /api/v1/em/: what devices send (``ingest_urls``) and what staff
read and change (``manage_urls``)."""

from openprobation.monitoring.ingest_urls import urlpatterns as ingest_urlpatterns
from openprobation.monitoring.manage_urls import urlpatterns as manage_urlpatterns

urlpatterns = [*ingest_urlpatterns, *manage_urlpatterns]

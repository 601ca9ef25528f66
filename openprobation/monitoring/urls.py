"""The pages of electronic monitoring (the API is ``api_urls``)."""

from openprobation.monitoring.pages import console, inventory, maps, resolutions

urlpatterns = [*resolutions.urlpatterns, *console.urlpatterns, *maps.urlpatterns, *inventory.urlpatterns]

from django.contrib import admin
from django.urls import include, path, re_path

from openprobation.core.api import api_not_found
from openprobation.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("openprobation.web.api_urls")),
    # Every other address under /api (another version, /api itself, /api/v1 without its slash)
    # answers 404 in JSON, never the HTML page nor a redirect.
    re_path(r"^api(?:/.*)?$", api_not_found, name="api-root-not-found"),
    path("", include("openprobation.web.urls")),
]

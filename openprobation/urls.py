from django.contrib import admin
from django.urls import include, path

from openprobation.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("openprobation.web.api_urls")),
    path("", include("openprobation.web.urls")),
]

"""The Django admin, limited to system administrators (reference data and the rulebook)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class OpenProbationAdminSite(admin.AdminSite):
    site_header = _("OpenProbation administration")
    site_title = _("OpenProbation administration")
    index_title = _("Reference data and rulebook")

    def has_permission(self, request: HttpRequest) -> bool:
        # The admin site is built while apps load; roles imports the models, ready only later.
        from openprobation.accounts.roles import Cap, has_cap  # noqa: PLC0415

        return bool(request.user.is_active and request.user.is_staff and has_cap(request.user, Cap.ADMIN_SITE))


class OpenProbationAdminConfig(AdminConfig):
    default_site = "openprobation.web.admin_site.OpenProbationAdminSite"

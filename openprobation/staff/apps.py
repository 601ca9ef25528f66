from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    """Administering staff accounts (role, placement, activity, password) through audited services."""

    name = "openprobation.staff"
    label = "staff"
    verbose_name = _("Staff administration")

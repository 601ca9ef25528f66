from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "openprobation.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from openprobation.audit import checks  # noqa: F401, PLC0415 (registers the deploy checks)

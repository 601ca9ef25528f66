from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourConfig(AppConfig):
    name = "openprobation.labour"
    label = "labour"
    verbose_name = _("Labour duties")

    def ready(self) -> None:
        from openprobation.labour import rules  # noqa: PLC0415

        rules.register()

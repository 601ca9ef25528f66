from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "openprobation.supervision"
    label = "supervision"
    verbose_name = _("Reporting and appointments")

    def ready(self) -> None:
        # The rule key's schema is declared when the rules module is imported (once); the providers
        # import the models, which load only once the app registry is ready (here).
        from openprobation.supervision import rules  # noqa: F401, PLC0415
        from openprobation.supervision.casepage import register  # noqa: PLC0415

        register()

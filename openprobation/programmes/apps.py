from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "openprobation.programmes"
    label = "programmes"
    verbose_name = _("Social and legal assistance")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.programmes import casepage, referral_wiring, rules  # noqa: PLC0415

        rules.register()
        casepage.register()
        referral_wiring.register()

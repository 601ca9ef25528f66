from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_instruments(**kwargs: Any) -> None:
    # The instruments shipped with the code are loaded after every migrate (missing versions only).
    from openprobation.assessments.instruments import instruments_load  # noqa: PLC0415

    instruments_load()


class AssessmentsConfig(AppConfig):
    name = "openprobation.assessments"
    label = "assessments"
    verbose_name = _("Risk and needs assessment")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.assessments import casepage, rules  # noqa: PLC0415

        rules.register()
        casepage.register()
        post_migrate.connect(_load_instruments, sender=self)

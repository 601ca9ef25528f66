from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_rulebook(**kwargs: Any) -> None:
    # rulebook imports the models, which load only once the app registry is ready.
    from openprobation.rules.rulebook import rulebook_load  # noqa: PLC0415

    rulebook_load()


class RulesConfig(AppConfig):
    name = "openprobation.rules"
    label = "rules"
    verbose_name = _("Rulebook")

    def ready(self) -> None:
        # The rulebook shipped with the code is loaded after every migrate (missing versions only).
        post_migrate.connect(_load_rulebook, sender=self)

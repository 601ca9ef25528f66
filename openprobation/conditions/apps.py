from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_catalogue(**kwargs: Any) -> None:
    # The catalogue module imports the models, which load only once the app registry is ready.
    from openprobation.conditions.catalogue import catalogue_load  # noqa: PLC0415

    catalogue_load()


class ConditionsConfig(AppConfig):
    name = "openprobation.conditions"
    label = "conditions"
    verbose_name = _("Court-ordered conditions")

    def ready(self) -> None:
        # The catalogue shipped with the code is loaded after every migrate (missing versions only).
        post_migrate.connect(_load_catalogue, sender=self)
        from openprobation.conditions import casepage  # noqa: PLC0415

        casepage.register()
        from openprobation.conditions.timeline import conditions_timeline  # noqa: PLC0415
        from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415

        register_timeline_provider("conditions", conditions_timeline)

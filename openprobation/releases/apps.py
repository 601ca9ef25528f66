from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "openprobation.releases"
    label = "releases"
    verbose_name = _("Release planning")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.core.casepage import (  # noqa: PLC0415
            register_case_actions,
            register_case_facts,
            register_case_section,
        )
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.releases import casepage  # noqa: PLC0415

        register_case_facts("releases", casepage.release_facts)
        register_case_section("releases", casepage.release_section)
        register_case_actions("releases", casepage.release_actions)
        register_work_source("arriving_from_prison", casepage.arriving_from_prison)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourConfig(AppConfig):
    name = "openprobation.labour"
    label = "labour"
    verbose_name = _("Labour duties")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.core.casepage import (  # noqa: PLC0415
            register_case_actions,
            register_case_facts,
            register_case_section,
        )
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.labour import casepage, rules  # noqa: PLC0415

        rules.register()
        register_case_facts("labour", casepage.labour_facts)
        register_case_section("labour", casepage.labour_section)
        register_case_actions("labour", casepage.labour_actions)
        register_work_source("employment_deadlines", casepage.employment_deadlines)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "openprobation.enforcement"
    label = "enforcement"
    verbose_name = _("Violations and enforcement")

    def ready(self) -> None:
        # The rule keys are declared before the rulebook loader (run after migrate) checks them.
        from openprobation.core.caseload import register_caseload_column  # noqa: PLC0415
        from openprobation.core.casepage import (  # noqa: PLC0415
            register_case_actions,
            register_case_facts,
            register_case_section,
        )
        from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.enforcement import providers, rules  # noqa: PLC0415

        rules.register()
        register_case_facts("enforcement", providers.case_facts)
        register_case_section("enforcement", providers.case_section)
        register_case_actions("enforcement", providers.case_actions)
        register_work_source("violations", providers.violations_source)
        register_work_source("tasks", providers.tasks_source)
        register_caseload_column(providers.OPEN_VIOLATIONS_COLUMN)
        register_timeline_provider("enforcement", providers.timeline_entries)

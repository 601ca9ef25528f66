from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "openprobation.employment"
    label = "employment"
    verbose_name = _("Employment and job quotas")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.core.casepage import (  # noqa: PLC0415
            register_case_actions,
            register_case_facts,
            register_case_section,
        )
        from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415
        from openprobation.employment import casepage, timeline  # noqa: PLC0415

        register_case_facts("employment", casepage.employment_facts)
        register_case_section("employment", casepage.employment_section)
        register_case_actions("employment", casepage.employment_actions)
        register_timeline_provider("employment", timeline.employment_timeline)

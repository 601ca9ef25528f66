from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "openprobation.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers and mentors")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.core.casepage import (  # noqa: PLC0415
            register_case_actions,
            register_case_facts,
            register_case_section,
        )
        from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.volunteers import casepage  # noqa: PLC0415

        register_case_facts("volunteers", casepage.volunteer_facts)
        register_case_section("volunteers", casepage.volunteer_section)
        register_case_actions("volunteers", casepage.volunteer_actions)
        register_work_source("volunteer_checks", casepage.volunteer_checks)
        register_timeline_provider("volunteers", casepage.volunteer_timeline_entries)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "openprobation.monitoring"
    label = "monitoring"
    verbose_name = _("Electronic monitoring")

    def ready(self) -> None:
        # The relationship imports the models, which load only once the app registry is ready (here).
        from openprobation.accounts.models import Role  # noqa: PLC0415
        from openprobation.accounts.scoping import register_relationship  # noqa: PLC0415
        from openprobation.core.casepage import (  # noqa: PLC0415
            register_case_actions,
            register_case_facts,
            register_case_section,
        )
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.monitoring import background, resolution_terms, sla  # noqa: PLC0415
        from openprobation.monitoring.pages import resolutions_casepage  # noqa: PLC0415
        from openprobation.monitoring.relationship import MONITORING_RELATIONSHIP  # noqa: PLC0415
        from openprobation.monitoring.workqueue import resolutions_ending  # noqa: PLC0415

        register_relationship(Role.MONITORING_OPERATOR, MONITORING_RELATIONSHIP)
        # EM resolutions: the duration rules' keys (before the rulebook loader checks them) and the
        # "Electronic monitoring" section of the case page.
        resolution_terms.register()
        sla.register()  # the rulebook key of the alert response times
        register_case_facts("monitoring", resolutions_casepage.case_facts)
        register_case_section("monitoring", resolutions_casepage.case_section)
        register_case_actions("monitoring", resolutions_casepage.case_actions)
        # Resolutions ending (or over) with a device still fitted: the officer's and the head's queue.
        register_work_source("em_resolutions_ending", resolutions_ending)
        # The embedded default evaluates in-process (EM_EVALUATE_IN_PROCESS); production runs em-evaluate.
        background.register()

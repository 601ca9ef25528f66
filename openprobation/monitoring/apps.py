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
        from openprobation.monitoring import background, sla  # noqa: PLC0415
        from openprobation.monitoring.relationship import MONITORING_RELATIONSHIP  # noqa: PLC0415

        register_relationship(Role.MONITORING_OPERATOR, MONITORING_RELATIONSHIP)
        sla.register()  # the rulebook key of the alert response times
        # The embedded default evaluates in-process (EM_EVALUATE_IN_PROCESS); production runs em-evaluate.
        background.register()

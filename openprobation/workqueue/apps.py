from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkqueueConfig(AppConfig):
    name = "openprobation.workqueue"
    label = "workqueue"
    verbose_name = _("Work queue")

    def ready(self) -> None:
        # The source imports the models, which load only once the app registry is ready (here).
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.workqueue.sources import registration_deadlines  # noqa: PLC0415

        register_work_source("registration", registration_deadlines)

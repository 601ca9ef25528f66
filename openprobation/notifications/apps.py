from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "openprobation.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from openprobation.core.casepage import register_case_section  # noqa: PLC0415
        from openprobation.core.outbox import register_outbox  # noqa: PLC0415
        from openprobation.core.workqueue import register_work_source  # noqa: PLC0415
        from openprobation.notifications.casepage import messages_section  # noqa: PLC0415
        from openprobation.notifications.services import message_enqueue  # noqa: PLC0415
        from openprobation.notifications.workqueue import undelivered_messages  # noqa: PLC0415

        register_case_section("messages", messages_section)
        register_work_source("messages", undelivered_messages)
        register_outbox(message_enqueue)

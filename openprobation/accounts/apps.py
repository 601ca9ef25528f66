from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "openprobation.accounts"
    label = "accounts"
    verbose_name = _("Staff and offices")

    def ready(self) -> None:
        # roles imports the models, which load only once the app registry is ready (here).
        from openprobation.accounts.roles import sync_roles_after_migrate  # noqa: PLC0415

        post_migrate.connect(sync_roles_after_migrate, sender=self)

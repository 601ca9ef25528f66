from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "openprobation.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def ready(self) -> None:
        # `openprobation run` streams the demo's monitored devices from the simulator (EM_DEMO_STREAM).
        from openprobation.core.background import register_background  # noqa: PLC0415
        from openprobation.demo.stream import start_demo_stream  # noqa: PLC0415

        register_background("em-demo-stream", start_demo_stream)

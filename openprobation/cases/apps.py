from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "openprobation.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.cases.timeline import case_timeline_entries, person_cases_section  # noqa: PLC0415
        from openprobation.core.sections import register_person_section  # noqa: PLC0415
        from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415

        register_timeline_provider("cases", case_timeline_entries)
        register_person_section("cases", person_cases_section)

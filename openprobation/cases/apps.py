from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "openprobation.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # The providers import the models, which load only once the app registry is ready (here).
        from openprobation.cases.timeline import (  # noqa: PLC0415
            case_timeline_entries,
            current_office_ids,
            person_cases_section,
        )
        from openprobation.core.sections import register_person_section  # noqa: PLC0415
        from openprobation.core.timeline import register_timeline_provider  # noqa: PLC0415
        from openprobation.people.selectors import register_current_offices  # noqa: PLC0415

        register_timeline_provider("cases", case_timeline_entries)
        register_person_section("cases", person_cases_section)
        register_current_offices(current_office_ids)

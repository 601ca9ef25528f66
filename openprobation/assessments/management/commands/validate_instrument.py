"""`openprobation validate-instrument FILE.csv --score COLUMN --outcome COLUMN [--group COLUMN] ...`

Validity and fairness of a risk instrument on the service's own outcomes: ROC-AUC with DeLong's
interval, calibration by decile with the Brier score, and the confusion table at each threshold,
for all rows and for each value of the group column. A table on stdout, and on request a JSON file
and a self-contained HTML report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.assessments.reporting import as_dict, as_html, as_text
from openprobation.assessments.validating import validate_file
from openprobation.core.exceptions import DomainError


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(
            _("Cannot write %(file)s: %(error)s") % {"file": path, "error": exc.strerror or exc}
        ) from exc


class Command(BaseCommand):
    # Lazy, so that `help` shows it in the language of the moment; it behaves as a str.
    help = cast(
        str,
        gettext_lazy(
            "Validity and fairness of a risk instrument on recorded outcomes: ROC-AUC with a 95% DeLong interval, "
            "calibration by decile and Brier score, and at each threshold the confusion table with error rates, "
            "for all rows and for each group."
        ),
    )
    requires_system_checks: list[str] = []  # reads a file; the database is not used

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help=_("CSV file, one row per person"))
        parser.add_argument("--encoding", help=_("the file's encoding when it is not UTF-8 (e.g. cp1251)"))
        parser.add_argument("--score", required=True, metavar="COLUMN", help=_("column of the instrument's score"))
        parser.add_argument(
            "--outcome",
            required=True,
            metavar="COLUMN",
            help=_("column of the outcome: 1/0, true/false, yes/no, y/n, да/нет, иә/жоқ"),
        )
        parser.add_argument("--group", metavar="COLUMN", help=_("column whose values are compared (fairness)"))
        parser.add_argument(
            "--threshold",
            dest="thresholds",
            action="extend",
            nargs="+",
            default=[],
            metavar="VALUE",
            help=_("score at or above which reoffending is predicted (several allowed)"),
        )
        parser.add_argument(
            "--filter",
            dest="filters",
            action="extend",
            nargs="+",
            default=[],
            metavar="EXPR",
            help=_(
                "keep only rows where COLUMN OP VALUE holds, OP one of == != >= <= > < "
                "(as numbers when both sides are numbers, else as text); several are combined with AND"
            ),
        )
        parser.add_argument("--json", metavar="OUT.json", help=_("also write the report as JSON"))
        parser.add_argument("--html", metavar="OUT.html", help=_("also write the report as a self-contained HTML file"))
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], help=_("language of the report")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        source = options["file"]
        try:
            result, info = validate_file(
                source=source,
                score=options["score"],
                outcome=options["outcome"],
                group=options["group"],
                thresholds=options["thresholds"],
                filters=options["filters"],
                encoding=options["encoding"],
                name=source,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(as_text(result, info), ending="")
        if options["json"]:
            _write(options["json"], json.dumps(as_dict(result, info), ensure_ascii=False, indent=2) + "\n")
            self.stdout.write(_("JSON report written to %(file)s") % {"file": options["json"]})
        if options["html"]:
            _write(options["html"], as_html(result, info))
            self.stdout.write(_("HTML report written to %(file)s") % {"file": options["html"]})

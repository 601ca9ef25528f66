"""`openprobation calibrate-instrument FILE.csv --instrument KEY --outcome COLUMN [--map ...]`

Fits a logistic instrument's coefficients to the service's own records (L2-regularised logistic
regression, k-fold cross-validation), prints the cross-validated ROC-AUC beside the current
version's, and writes a new version as a draft for the system administrator to approve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.assessments.batch import calibrate_file, instrument_by_key
from openprobation.core.exceptions import DomainError


class Command(BaseCommand):
    help = cast(
        str, gettext_lazy("Fit an instrument's coefficients to recorded outcomes and save them as a draft version.")
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help=_("CSV file, one row per record"))
        parser.add_argument(
            "--instrument", required=True, metavar="KEY", help=_("the instrument's key, e.g. static_risk")
        )
        parser.add_argument(
            "--outcome",
            required=True,
            metavar="COLUMN",
            help=_("column of the outcome: 1/0, true/false, yes/no, y/n, да/нет, иә/жоқ"),
        )
        parser.add_argument(
            "--map", dest="mappings", action="append", default=[], metavar="ITEM=COLUMN", help=_("as for assess-batch")
        )
        parser.add_argument("--folds", type=int, default=5, help=_("folds of the cross-validation (2 to 20)"))
        parser.add_argument("--seed", type=int, default=0, help=_("seed of the fold split"))
        parser.add_argument("--encoding", help=_("the file's encoding when it is not UTF-8 (e.g. cp1251)"))
        parser.add_argument("--dry-run", action="store_true", help=_("report the figures without saving a draft"))
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], help=_("language of the messages")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            if not 2 <= options["folds"] <= 20:
                raise CommandError(_("--folds must be from 2 to 20."))
            try:
                instrument = instrument_by_key(options["instrument"])
                calibration, draft, result = calibrate_file(
                    source=Path(options["file"]),
                    instrument=instrument,
                    outcome=options["outcome"],
                    mappings=options["mappings"],
                    folds=options["folds"],
                    seed=options["seed"],
                    encoding=options["encoding"],
                    save=not options["dry_run"],
                )
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            self.stdout.write(
                _("%(rows)s records used (%(pos)s with the outcome), %(folds)s folds, C = %(c)s.")
                % {
                    "rows": calibration.rows,
                    "pos": calibration.positives,
                    "folds": calibration.folds,
                    "c": calibration.c,
                }
            )
            self.stdout.write(
                _("Cross-validated ROC-AUC of the refitted coefficients: %(auc).3f") % {"auc": calibration.cv_auc}
            )
            self.stdout.write(
                _("ROC-AUC of %(instrument)s on the same records: %(auc).3f")
                % {"instrument": instrument, "auc": calibration.current_auc}
            )
            for line in result.summary:
                self.stdout.write(line)
            if draft is not None:
                self.stdout.write(
                    _("Saved as %(draft)s (a draft): the system administrator reviews and approves it in the admin.")
                    % {"draft": draft}
                )

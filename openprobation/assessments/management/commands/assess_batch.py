"""`openprobation assess-batch FILE.csv --instrument KEY --map item=column ... [--out OUT.csv]`

Scores every row of a file of historical records with an instrument and writes the scores beside
the input columns (``score``, ``level``, one ``term:<code>`` per term, ``not_scored``). Rows that
cannot be scored stay in the output with the reason; a summary says how many and why.
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

from openprobation.assessments.batch import assess_file, instrument_by_key
from openprobation.core.exceptions import DomainError


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Score every row of a CSV file of records with an instrument; the scores are written beside the input columns."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", help=_("CSV file, one row per record"))
        parser.add_argument(
            "--instrument", required=True, metavar="KEY", help=_("the instrument's key, e.g. static_risk")
        )
        parser.add_argument(
            "--map",
            dest="mappings",
            action="append",
            default=[],
            metavar="ITEM=COLUMN",
            help=_(
                "which column gives an item: item=column; recode values with item=column:Male->M,Female->F; "
                "derive full years with item=age(birth_date,on_date); a constant with item=const:value. "
                "An item whose column has its own name needs none."
            ),
        )
        parser.add_argument("--out", metavar="OUT.csv", help=_("where to write (default: FILE.scored.csv)"))
        parser.add_argument("--encoding", help=_("the file's encoding when it is not UTF-8 (e.g. cp1251)"))
        parser.add_argument("--json", action="store_true", help=_("print the summary as JSON"))
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], help=_("language of the messages")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"] or settings.LANGUAGE_CODE):
            source = Path(options["file"])
            target = Path(options["out"]) if options["out"] else source.with_name(source.stem + ".scored.csv")
            if target.resolve() == source.resolve():
                raise CommandError(_("The output would overwrite the input; choose another --out."))
            try:
                instrument = instrument_by_key(options["instrument"])
                result = assess_file(
                    source=source,
                    target=target,
                    instrument=instrument,
                    mappings=options["mappings"],
                    encoding=options["encoding"],
                )
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": target, "error": exc.strerror or exc}
                ) from exc
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {"instrument": str(instrument), "out": str(target), **result.as_dict()},
                        ensure_ascii=False,
                        indent=2,
                    )
                )
                return
            self.stdout.write(
                _(
                    "%(scored)s of %(rows)s rows scored with %(instrument)s in %(seconds).1f s (%(rate)s rows/s); written to %(out)s"
                )
                % {
                    "scored": result.scored,
                    "rows": result.rows,
                    "instrument": instrument,
                    "seconds": result.seconds,
                    "rate": f"{result.rows_per_second:,.0f}",
                    "out": target,
                }
            )
            for code, count in result.levels.items():
                self.stdout.write(f"  {code}: {count}")
            for line in [*result.warnings, *result.summary]:
                self.stdout.write(line)

"""The instrument versions: loading the shipped ones and finding the version in force."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from openprobation.assessments.instrument import InstrumentSpec, definition_errors, parse_definition
from openprobation.assessments.models import Instrument, InstrumentStatus
from openprobation.core.exceptions import DomainError

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "instruments.json"
FIELDS = ("kind", "title_en", "title_kk", "title_ru", "definition", "source", "notes")


class NoInstrument(DomainError):
    pass


def instruments_load(*, path: Path = FIXTURE) -> tuple[int, int]:
    """Create the shipped versions that are missing (approved); leave present ones alone.
    Refuses the whole file if a definition is unsound."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["instruments"]:
        errors = definition_errors(entry["definition"])
        if errors:
            raise ValueError(f"{entry['key']} v{entry['version']}: {errors}")
    created = kept = 0
    with transaction.atomic():
        for entry in data["instruments"]:
            _obj, was_created = Instrument.objects.get_or_create(
                key=entry["key"],
                version=entry["version"],
                defaults={
                    "kind": entry["kind"],
                    "title_en": entry["title"]["en"],
                    "title_kk": entry["title"]["kk"],
                    "title_ru": entry["title"]["ru"],
                    "definition": entry["definition"],
                    "source": entry["source"],
                    "rule_status": entry["status"],
                    "status": InstrumentStatus.APPROVED,
                    "effective_from": dt.date.fromisoformat(entry["effective_from"]),
                    "notes": entry.get("notes", ""),
                },
            )
            created, kept = (created + 1, kept) if was_created else (created, kept + 1)
    return created, kept


def in_force_q(on: dt.date) -> Q:
    return Q(status=InstrumentStatus.APPROVED, effective_from__lte=on) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def instrument_in_force(kind: str, *, on: dt.date) -> Instrument:
    """The approved version of the kind's instrument in force on ``on`` (the latest, if several)."""
    found = Instrument.objects.filter(in_force_q(on), kind=kind).order_by("-effective_from", "-version").first()
    if found is None:
        raise NoInstrument(
            _("No approved assessment instrument is in force on %(date)s. Ask the system administrator.")
            % {"date": on.strftime("%d.%m.%Y")},
            code="no_instrument",
        )
    return found


_SPECS: dict[tuple[int, str], InstrumentSpec] = {}


def spec_of(instrument: Instrument) -> InstrumentSpec:
    """The parsed definition of a version (cached per version and last change)."""
    key = (instrument.pk, instrument.updated_at.isoformat() if instrument.updated_at else "")
    spec = _SPECS.get(key)
    if spec is None:
        if len(_SPECS) > 64:
            _SPECS.clear()
        spec = _SPECS[key] = parse_definition(instrument.definition)
    return spec

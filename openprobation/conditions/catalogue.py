"""The catalogue of conditions: loading the shipped versions, checking a version's texts against
its parameters, and finding the version of a code in force on a date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from openprobation.conditions.models import ConditionDefinition
from openprobation.conditions.params import LANGUAGES, schema_errors, text_mismatch

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "catalogue.json"

CATALOGUE_FIELDS = [
    "code",
    "version",
    "category",
    "name_en",
    "name_kk",
    "name_ru",
    "text_en",
    "text_kk",
    "text_ru",
    "params_schema",
    "source",
    "source_kk",
    "source_ru",
    "em_checkable",
    "effective_from",
    "effective_to",
    "status",
    "notes",
]


def definition_errors(schema: Any, texts: dict[str, str]) -> dict[str, str]:
    """Field → what is wrong: the schema itself, or a text whose placeholders differ from it."""
    problems = schema_errors(schema)
    if problems:
        return {"params_schema": "; ".join(problems)}
    out = {}
    for lang in LANGUAGES:
        mismatch = text_mismatch(texts.get(lang, ""), schema)
        if mismatch:
            out[f"text_{lang}"] = mismatch
    return out


def catalogue_load(*, path: Path = FIXTURE) -> tuple[int, int]:
    """Create the shipped versions that are missing; leave present ones alone (an
    administrator's versions win). Returns (created, kept). Refuses the whole file if a version's
    texts do not match its parameters."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for item in data["conditions"]:
        errors = definition_errors(item["params_schema"], {lang: item[f"text_{lang}"] for lang in LANGUAGES})
        if errors:
            raise ValueError(f"{item['code']} v{item['version']}: {errors}")
    created = kept = 0
    with transaction.atomic():
        for item in data["conditions"]:
            defaults = {k: v for k, v in item.items() if k in CATALOGUE_FIELDS and k not in ("code", "version")}
            defaults["effective_from"] = dt.date.fromisoformat(item["effective_from"])
            defaults["effective_to"] = dt.date.fromisoformat(item["effective_to"]) if item.get("effective_to") else None
            _obj, was_created = ConditionDefinition.objects.get_or_create(
                code=item["code"], version=item["version"], defaults=defaults
            )
            created, kept = (created + 1, kept) if was_created else (created, kept + 1)
    return created, kept


def in_force_q(on: dt.date) -> Q:
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))


def definitions_on(on: dt.date) -> QuerySet[ConditionDefinition]:
    """The catalogue as in force on a date: per code, its latest version in force."""
    return ConditionDefinition.objects.filter(in_force_q(on)).order_by("code", "-version")


def current_catalogue(on: dt.date) -> list[ConditionDefinition]:
    seen: dict[str, ConditionDefinition] = {}
    for definition in definitions_on(on):
        seen.setdefault(definition.code, definition)
    return sorted(seen.values(), key=lambda d: (d.category_order, d.code))


def definition_for(code: str, on: dt.date) -> ConditionDefinition | None:
    """The version of ``code`` in force on ``on`` (the latest, if several overlap)."""
    return definitions_on(on).filter(code=code).first()

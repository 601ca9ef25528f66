"""Reading the rulebook. ``rule(key, on=date)`` returns the version in force on that date.

Rules are few and read often, so they are cached per process and the cache is dropped whenever a
rule is saved (the admin and the loader both go through ``invalidate``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openprobation.core.exceptions import DomainError
from openprobation.core.workdays import HolidayCalendar
from openprobation.rules.models import Rule
from openprobation.rules.schemas import InvalidRuleParams, ParamError, param_errors

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rulebook.json"


@dataclass(frozen=True)
class RuleVersion:
    key: str
    version: int
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    params: dict[str, Any]
    source_en: str
    source_kk: str
    source_ru: str
    status: str

    @property
    def source(self) -> str:
        """The act and article, in the active language (English when not given)."""
        lang = (get_language() or "en")[:2]
        return {"kk": self.source_kk, "ru": self.source_ru}.get(lang) or self.source_en

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)


class RuleMissing(DomainError):
    pass


_state = {"generation": 0}


@lru_cache(maxsize=1)
def _all_rules(generation: int) -> dict[str, list[RuleVersion]]:
    table: dict[str, list[RuleVersion]] = {}
    for r in Rule.objects.order_by("key", "effective_from"):
        table.setdefault(r.key, []).append(
            RuleVersion(
                key=r.key,
                version=r.version,
                title=r.title,
                effective_from=r.effective_from,
                effective_to=r.effective_to,
                params=r.params,
                source_en=r.source,
                source_kk=r.source_kk,
                source_ru=r.source_ru,
                status=r.status,
            )
        )
    return table


def invalidate() -> None:
    _state["generation"] += 1
    _all_rules.cache_clear()
    _calendar.cache_clear()


def _versions(key: str) -> list[RuleVersion]:
    # Rules edited in another process (the admin) are picked up within a minute.
    return _all_rules(_state["generation"] * 10_000_000 + int(time.monotonic() // 60)).get(key, [])


def rule(key: str, *, on: dt.date) -> RuleVersion:
    """The version of ``key`` in force on ``on``; raises ``RuleMissing`` if none is."""
    for version in reversed(_versions(key)):
        if version.effective_from <= on and (version.effective_to is None or on <= version.effective_to):
            return version
    raise RuleMissing(
        _("The rulebook has no rule “%(key)s” in force on %(date)s. Ask the system administrator to add it.")
        % {"key": key, "date": on.isoformat()}
    )


def rule_version(key: str, version: int) -> RuleVersion | None:
    """A given version of a rule (for explaining a decision taken under it), or None."""
    for candidate in _versions(key):
        if candidate.version == version:
            return candidate
    return None


def rule_citation(key: str, version: int) -> str:
    """The act and article a rule version rests on, in the reader's language, for showing where a
    decision came from. Never the internal key: an unknown key or version gives an empty string."""
    found = rule_version(key, version)
    return found.source if found is not None else ""


@lru_cache(maxsize=8)
def _calendar(version: int, generation: int, params_json: str) -> HolidayCalendar:
    return HolidayCalendar.from_params(json.loads(params_json))


def working_calendar(*, on: dt.date) -> HolidayCalendar:
    """The Kazakhstan working-day calendar in force on a date."""
    version = rule("calendar.kz.working_days", on=on)
    return _calendar(version.version, _state["generation"], json.dumps(version.params, sort_keys=True))


def add_working_days(start: dt.date, count: int) -> dt.date:
    """``count`` working days after ``start``; each day is judged by the calendar in force on it,
    so a count that runs into a year with a newer calendar version uses that version."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, remaining = start, count
    while remaining:
        day += dt.timedelta(days=1)
        if working_calendar(on=day).is_working_day(day):
            remaining -= 1
    return day


def rulebook_load(*, path: Path = FIXTURE) -> tuple[int, int]:
    """Load the rulebook fixture: create missing versions, leave versions already present alone
    (an administrator's edits win). Returns (created, kept).

    So changing a shipped version in the fixture reaches fresh databases only. A change in the law
    is a new version number; a version that was wrong as shipped keeps its number and is corrected
    in existing databases by a data migration that leaves administrators' edits alone (rules
    migration 0003 is the example).

    Every version's params are checked against the schema of its key first; if any does not match
    (or a key has no schema) nothing is loaded and ``InvalidRuleParams`` names each mismatch."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = [
        ParamError(f"{item.get('key')} v{item.get('version')} {error.path}", error.message)
        for item in data["rules"]
        for error in param_errors(str(item.get("key")), item.get("params"))
    ]
    if problems:
        raise InvalidRuleParams(problems)
    created = kept = 0
    with transaction.atomic():
        for item in data["rules"]:
            _obj, was_created = Rule.objects.get_or_create(
                key=item["key"],
                version=item["version"],
                defaults={
                    "title": item["title"],
                    "effective_from": dt.date.fromisoformat(item["effective_from"]),
                    "effective_to": dt.date.fromisoformat(item["effective_to"]) if item.get("effective_to") else None,
                    "params": item["params"],
                    "source": item["source"],
                    "source_kk": item.get("source_kk", ""),
                    "source_ru": item.get("source_ru", ""),
                    "status": item["status"],
                    "notes": item.get("notes", ""),
                },
            )
            if was_created:
                created += 1
            else:
                kept += 1
    invalidate()
    return created, kept

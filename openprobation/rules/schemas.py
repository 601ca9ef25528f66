"""The shape of each rule's parameters, declared in code.

An administrator edits a rule's ``params`` as JSON in the admin; a typo there must be refused when
the version is saved, not turn into an error later when a service reads the rule. Every rule key
therefore has a schema here, and the loader and the admin refuse a version whose params do not
match it, or whose key has no schema at all.

Adding a rule key: add an entry to ``SCHEMAS`` below (the usual way, next to its siblings), or call
``register_schema(key, Params(...))`` once at import time from the app that introduces the rule.
A schema is built from a few typed shapes::

    register_schema(
        "registration.example",
        Params(
            {
                "min_days": Int(min=0, max=365),
                "max_days": Int(min=1, max=365),
                "kinds": ListOf(Choice({"court_order", "transfer"}), unique=True),
                "note": Optional(Text()),  # may be left out
            },
            checks=(ordered("min_days", "max_days"),),
        ),
    )

Errors name the path of the offending value (``params.days: expected a whole number``) and are
translatable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openprobation.core.exceptions import DomainError

ROOT = "params"


@dataclass(frozen=True)
class ParamError:
    """One mismatch: where (``params.fixed_holidays[3].date``) and what, as translatable text."""

    path: str
    message: str | Promise

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidRuleParams(DomainError):
    """A rule version's params do not match the schema of its key (or the key has none)."""

    def __init__(self, errors: list[ParamError]):
        super().__init__("; ".join(str(e) for e in errors), field="params", code="invalid_params")
        self.errors = errors


# --- Shapes ----------------------------------------------------------------------------------------


class Shape:
    """A value's expected shape; ``check`` returns the mismatches found under ``path``."""

    def check(self, value: Any, path: str) -> list[ParamError]:
        raise NotImplementedError


@dataclass(frozen=True)
class Int(Shape):
    min: int | None = None
    max: int | None = None

    def check(self, value: Any, path: str) -> list[ParamError]:
        # JSON true/false are ints to Python; a rule never means a flag where it asks for a number.
        if isinstance(value, bool) or not isinstance(value, int):
            return [ParamError(path, _("expected a whole number"))]
        if self.min is not None and value < self.min:
            return [ParamError(path, _("must be at least %(min)s") % {"min": self.min})]
        if self.max is not None and value > self.max:
            return [ParamError(path, _("must be at most %(max)s") % {"max": self.max})]
        return []


@dataclass(frozen=True)
class Bool(Shape):
    def check(self, value: Any, path: str) -> list[ParamError]:
        return [] if isinstance(value, bool) else [ParamError(path, _("expected true or false"))]


@dataclass(frozen=True)
class Text(Shape):
    """Non-empty text."""

    def check(self, value: Any, path: str) -> list[ParamError]:
        if not isinstance(value, str) or not value.strip():
            return [ParamError(path, _("expected non-empty text"))]
        return []


@dataclass(frozen=True)
class Choice(Shape):
    """One code out of a fixed set (the codes the program knows how to apply)."""

    allowed: frozenset[str]

    def __init__(self, allowed: Iterable[str]):
        object.__setattr__(self, "allowed", frozenset(allowed))

    def check(self, value: Any, path: str) -> list[ParamError]:
        if isinstance(value, str) and value in self.allowed:
            return []
        return [ParamError(path, _("expected one of: %(choices)s") % {"choices": ", ".join(sorted(self.allowed))})]


@dataclass(frozen=True)
class MonthDay(Shape):
    """A day in every year, written MM-DD (29 February is refused: it is not in every year)."""

    def check(self, value: Any, path: str) -> list[ParamError]:
        if isinstance(value, str) and re.fullmatch(r"\d\d-\d\d", value):
            month, day = (int(part) for part in value.split("-"))
            try:
                dt.date(2023, month, day)  # a common year
            except ValueError:
                pass
            else:
                return []
        return [ParamError(path, _("expected a day of the year as MM-DD"))]


@dataclass(frozen=True)
class IsoDate(Shape):
    def check(self, value: Any, path: str) -> list[ParamError]:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return []
        return [ParamError(path, _("expected a date as YYYY-MM-DD"))]


@dataclass(frozen=True)
class ListOf(Shape):
    item: Shape
    min_items: int = 0
    unique: bool = False

    def check(self, value: Any, path: str) -> list[ParamError]:
        if not isinstance(value, list):
            return [ParamError(path, _("expected a list"))]
        if len(value) < self.min_items:
            return [ParamError(path, _("expected at least %(count)s item(s)") % {"count": self.min_items})]
        errors: list[ParamError] = []
        seen: list[Any] = []
        for index, element in enumerate(value):
            where = f"{path}[{index}]"
            found = self.item.check(element, where)
            errors.extend(found)
            if self.unique and not found:
                if element in seen:
                    errors.append(ParamError(where, _("repeats an earlier item")))
                seen.append(element)
        return errors


@dataclass(frozen=True)
class Optional(Shape):
    """Marks an object field that may be left out (it is checked when present)."""

    shape: Shape

    def check(self, value: Any, path: str) -> list[ParamError]:
        return self.shape.check(value, path)


Check = Callable[[Mapping[str, Any], str], list[ParamError]]


@dataclass(frozen=True)
class Obj(Shape):
    """An object with named fields; unknown fields are refused (a misspelt name must not pass)."""

    fields: Mapping[str, Shape]
    checks: tuple[Check, ...] = field(default=())

    def check(self, value: Any, path: str) -> list[ParamError]:
        if not isinstance(value, dict):
            return [ParamError(path, _("expected an object"))]
        errors: list[ParamError] = []
        for name, shape in self.fields.items():
            where = f"{path}.{name}"
            if name not in value:
                if not isinstance(shape, Optional):
                    errors.append(ParamError(where, _("is required")))
                continue
            errors.extend(shape.check(value[name], where))
        for name in sorted(set(value) - set(self.fields)):
            errors.append(ParamError(f"{path}.{name}", _("is not a parameter of this rule")))
        if not errors:
            for run in self.checks:
                errors.extend(run(value, path))
        return errors


Params = Obj  # a rule's params are an object; the alias reads better at the registration site


def ordered(low: str, high: str) -> Check:
    """A cross-field check: ``low`` must not exceed ``high`` (both present and already valid)."""

    def run(value: Mapping[str, Any], path: str) -> list[ParamError]:
        if low in value and high in value and value[low] > value[high]:
            return [ParamError(f"{path}.{low}", _("must not exceed %(other)s") % {"other": high})]
        return []

    return run


# --- The codes services understand ------------------------------------------------------------------
# A code outside these sets would be silently ignored by the service reading the rule, so the
# schema refuses it. The services (cases.legal) hold the translated texts for the same codes.

PRETRIAL_CATEGORIES = frozenset(
    {
        "minor",
        "disability",
        "woman_elderly",
        "pregnant",
        "woman_child_under_age",
        "man_elderly",
        "man_alone_child_under_age",
    }
)
RESTRAINT_MEASURES = frozenset({"none", "undertaking", "personal_surety", "bail", "house_arrest", "detention", "other"})
FORCED_LABOUR_EXEMPTIONS = frozenset(
    {
        "employed_or_studying",
        "minor",
        "pregnant",
        "woman_child_under_age",
        "man_alone_child_under_age",
        "woman_elderly",
        "man_elderly",
        "disability_group_1_2",
        "replaced_short",
    }
)

# Codes of the people and cases apps (the rulebook sits below them, so it names them here).
EMPLOYMENT_STATUSES = frozenset(
    {"employed", "self_employed", "unemployed", "student", "pensioner", "unable", "unknown"}
)
SENTENCE_KINDS = frozenset(
    {
        "restriction_of_liberty",
        "conditional",
        "parole",
        "correctional_labour",
        "community_service",
        "deprivation_of_right",
        "deferral",
        "imprisonment",
    }
)
CASE_TYPES = frozenset({"pre_trial", "sentence", "penitentiary", "post_penitentiary"})
SENTENCE_KIND = Obj(
    {
        "term_unit": Choice({"months", "hours"}),
        # When probation control starts: the date of legal effect, the day of release, or never.
        "control_starts": Choice({"effective_date", "release_date", "none"}),
    }
)

AGE = Int(min=1, max=120)
MONTHS = Int(min=0, max=600)


def _calendar_consistent(value: Mapping[str, Any], path: str) -> list[ParamError]:
    errors = []
    for index, transfer in enumerate(value.get("transfers", [])):
        if transfer["day_off"] == transfer["working_day"]:
            errors.append(
                ParamError(f"{path}.transfers[{index}].working_day", _("must differ from the day off it pays for"))
            )
    return errors


CALENDAR = Params(
    {
        # Python weekday numbers: Monday 0 … Sunday 6.
        "weekend": ListOf(Int(min=0, max=6), unique=True),
        "fixed_holidays": ListOf(
            Obj({"date": MonthDay(), "name": Text(), "moves": Optional(Bool())}),
        ),
        "dated_holidays": ListOf(Obj({"date": IsoDate(), "name": Text()})),
        # Government decrees moving a day off (Labour Code art. 85(3)): the day off and the day
        # worked instead, with the decree.
        "transfers": Optional(ListOf(Obj({"day_off": IsoDate(), "working_day": IsoDate(), "source": Text()}))),
        # Single days declared off or worked without a pair (and the shape of calendars saved before
        # transfers were recorded in pairs).
        "extra_days_off": Optional(ListOf(IsoDate(), unique=True)),
        "extra_working_days": Optional(ListOf(IsoDate(), unique=True)),
        # Years whose decrees or religious-holiday dates are not published yet.
        "provisional_years": Optional(ListOf(Int(min=1991, max=2100), unique=True)),
    },
    checks=(_calendar_consistent,),
)

SCHEMAS: dict[str, Obj] = {
    "pretrial.eligibility": Params(
        {
            "categories": ListOf(Choice(PRETRIAL_CATEGORIES), min_items=1, unique=True),
            "minor_age_below": AGE,
            "woman_age_from": AGE,
            "man_age_from": AGE,
            "child_age_below": AGE,
            "excluded_restraint_measures": ListOf(Choice(RESTRAINT_MEASURES), unique=True),
            "consent_required": Bool(),
            "disability_groups": ListOf(Int(min=1, max=3), min_items=1, unique=True),
        }
    ),
    "sentence.restriction_of_liberty.term": Params(
        {"min_months": MONTHS, "max_months": Int(min=1, max=600)},
        checks=(ordered("min_months", "max_months"),),
    ),
    "sentence.conditional.control_period": Params(
        {
            "adult": Choice({"whole_term"}),
            "minor_age_below": AGE,
            "minor_min_months": MONTHS,
            "minor_max_months": Int(min=1, max=600),
        },
        checks=(ordered("minor_min_months", "minor_max_months"),),
    ),
    "sentence.forced_labour": Params(
        {
            "hours_per_year": Int(min=0, max=8784),
            "max_hours_per_day": Int(min=1, max=24),
            "exemptions": ListOf(Choice(FORCED_LABOUR_EXEMPTIONS), unique=True),
            "minor_age_below": AGE,
            "woman_age_from": AGE,
            "man_age_from": AGE,
            "child_age_below": AGE,
            "disability_groups": ListOf(Int(min=1, max=3), unique=True),
            "replaced_under_months": MONTHS,
            # Employment statuses that count as permanent work, and those that count as education.
            "work_statuses": ListOf(Choice(EMPLOYMENT_STATUSES), unique=True),
            "education_statuses": ListOf(Choice(EMPLOYMENT_STATUSES), unique=True),
        }
    ),
    "registration.deferral_release": Params(
        {
            "register_within_working_days": Int(min=1, max=365),
            "search_after_days": Int(min=1, max=365),
            # Civil Code counting: a period whose last day is a day off ends on the next working day.
            "end_moves_to_working_day": Bool(),
            # The sentence kinds whose release starts the PEC art. 163 clock.
            "sentence_kinds": ListOf(Choice(SENTENCE_KINDS), min_items=1, unique=True),
        }
    ),
    "sentence.kinds": Params({"kinds": Obj({kind: Optional(SENTENCE_KIND) for kind in sorted(SENTENCE_KINDS)})}),
    "cases.kinds_by_type": Params(
        {"types": Obj({t: ListOf(Choice(SENTENCE_KINDS | {""}), unique=True) for t in sorted(CASE_TYPES)})}
    ),
    "sentence.control_extension": Params({"max_months": Int(min=1, max=60)}),
    "registration.other": Params({"register_within_days": Int(min=1, max=365)}),
    "penitentiary.release_preparation": Params({"months_before_release": Int(min=1, max=120)}),
    "calendar.kz.working_days": CALENDAR,
    # Social and legal assistance (programmes, employment, release planning, volunteers).
    "programmes.review_interval": Params({"months": MONTHS, "minor_months": MONTHS}),
    "programmes.referral_deadlines": Params(
        {
            "answer_working_days": Int(min=1, max=60),
            "complete_days": Int(min=1, max=365),
            "remind_before_days": Int(min=0, max=30),
        }
    ),
    "programmes.minors": Params(
        {
            "age_below": AGE,
            "involve": ListOf(Choice(frozenset({"representative", "guardianship", "child_rights"})), unique=True),
            "copy_notices_to_representatives": Bool(),
            "agreement_by_representative": Bool(),
        }
    ),
    "release.handover_notice": Params({"days_before_release": Int(min=1, max=365)}),
    # Electronic monitoring (Order 511 para. 140): what the rules engine judges and how hard.
    "monitoring.thresholds": Params(
        {
            "debounce_fixes": Int(min=1, max=20),
            "debounce_seconds": Int(min=0, max=3600),
            "low_battery_pct": Int(min=1, max=90),
            "battery_clear_pct": Int(min=2, max=100),
            "lost_communication_minutes": Int(min=1, max=1440),
            "no_fix_minutes": Int(min=1, max=1440),
            "proximity_m": Int(min=10, max=50_000),
            "max_accuracy_m": Int(min=10, max=10_000),
            "severity": Obj(
                {
                    name: Choice(frozenset({"low", "medium", "high", "critical"}))
                    for name in (
                        "inclusion_exit",
                        "exclusion_entry",
                        "curfew",
                        "strap",
                        "low_battery",
                        "lost_communication",
                        "no_fix",
                        "victim_proximity",
                    )
                }
            ),
        },
        checks=(ordered("low_battery_pct", "battery_clear_pct"),),
    ),
    "volunteers.checks": Params(
        {
            "required": ListOf(Choice(frozenset({"criminal_record", "training", "interview", "medical"})), unique=True),
            "valid_months": MONTHS,
        }
    ),
}


def register_schema(key: str, schema: Obj) -> None:
    """Declare the params of a new rule key. A key is registered once; changing the shape of an
    existing key is a change to this module (and usually a new rule version)."""
    if key in SCHEMAS:
        raise ValueError(f"a schema for the rule key {key!r} is already registered")
    SCHEMAS[key] = schema


def rule_schema(key: str) -> Obj | None:
    """The schema of a rule key, or None when the key has none (such a rule is refused)."""
    return SCHEMAS.get(key)


def param_errors(key: str, params: Any) -> list[ParamError]:
    """Every mismatch between ``params`` and the schema of ``key``; empty when they match."""
    schema = rule_schema(key)
    if schema is None:
        return [
            ParamError(
                "key",
                _("the rule key “%(key)s” has no declared parameters; it must be registered in the code first")
                % {"key": key},
            )
        ]
    return schema.check(params, ROOT)


def validate_params(key: str, params: Any) -> None:
    """Raise ``InvalidRuleParams`` naming each mismatch, or return when ``params`` fit ``key``."""
    errors = param_errors(key, params)
    if errors:
        raise InvalidRuleParams(errors)

"""How long an electronic-monitoring resolution runs (Order 511 para. 140), read from the rulebook:

- after a written warning (restriction of liberty): one year (``monitoring.resolution.term``,
  ``written_warning_months``);
- after a court extension of probation control (conditional sentence): the extension period — the
  months of the court's extension decision on the case;
- another restriction set by a court: the end the head gives, at most ``other_max_months``
  (``monitoring.resolution.practice``, the service's practice).

A resolution ends by itself when its period is over; ``notice_days`` before its last day
(``monitoring.resolution.ending``, the service's practice) the officer and the head are told, so that
the head decides an extension in time or the device is removed on the day.

A term of N months from ``starts_on`` ends on the day before the corresponding day N months later,
and never before the corresponding day's month-end when ``starts_on`` is itself the last day of a
month (29 February + 1 year → 28 February).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from openprobation.rules.rulebook import rule
from openprobation.rules.schemas import SENTENCE_KINDS, Choice, Int, ListOf, Params, register_schema, rule_schema

TERM = "monitoring.resolution.term"
PRACTICE = "monitoring.resolution.practice"
ENDING = "monitoring.resolution.ending"

SCHEMAS = {
    TERM: Params(
        {
            "written_warning_months": Int(min=1, max=120),
            "written_warning_sentence_kinds": ListOf(Choice(SENTENCE_KINDS), min_items=1, unique=True),
            "court_extension_sentence_kinds": ListOf(Choice(SENTENCE_KINDS), min_items=1, unique=True),
        }
    ),
    PRACTICE: Params({"other_max_months": Int(min=1, max=120), "decided_back_days": Int(min=0, max=366)}),
    ENDING: Params({"notice_days": Int(min=0, max=90)}),
}


def register() -> None:
    for key, schema in SCHEMAS.items():
        if rule_schema(key) is None:
            register_schema(key, schema)


def term_end(starts_on: dt.date, months: int) -> dt.date:
    """The last day of a term of ``months`` months that starts on ``starts_on`` (inclusive)."""
    return max(
        starts_on + relativedelta(months=months) - dt.timedelta(days=1),
        (starts_on - dt.timedelta(days=1)) + relativedelta(months=months),
    )


@dataclass(frozen=True)
class Term:
    months: int
    ends_on: dt.date
    rule_key: str
    rule_version: int
    source: str


def written_warning_term(*, starts_on: dt.date) -> Term:
    version = rule(TERM, on=starts_on)
    months = int(version["written_warning_months"])
    return Term(months, term_end(starts_on, months), version.key, version.version, version.source)


def court_extension_term(*, starts_on: dt.date, extension_months: int) -> Term:
    version = rule(TERM, on=starts_on)
    return Term(extension_months, term_end(starts_on, extension_months), version.key, version.version, version.source)


def sentence_kinds(grounds: str, *, on: dt.date) -> list[str]:
    """The sentence kinds ``grounds`` applies to (empty: any)."""
    version = rule(TERM, on=on)
    if grounds == "written_warning":
        return list(version["written_warning_sentence_kinds"])
    if grounds == "court_extension":
        return list(version["court_extension_sentence_kinds"])
    return []


def other_max_end(*, starts_on: dt.date) -> dt.date:
    return term_end(starts_on, int(rule(PRACTICE, on=starts_on)["other_max_months"]))


def decided_back_days(*, on: dt.date) -> int:
    return int(rule(PRACTICE, on=on)["decided_back_days"])


def ending_notice_days(*, on: dt.date) -> int:
    return int(rule(ENDING, on=on)["notice_days"])


def notice_from(ends_on: dt.date, *, on: dt.date) -> dt.date:
    """The first day on which a resolution ending on ``ends_on`` is announced as ending."""
    return ends_on - dt.timedelta(days=ending_notice_days(on=on))

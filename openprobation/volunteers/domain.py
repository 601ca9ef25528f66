"""The rules of the volunteers app, as plain functions: how long a check stays valid and whether a
volunteer may be assigned on a date (the one eligibility function every page, the API, the daily
scan and the work queue use)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from openprobation.rules.rulebook import rule
from openprobation.volunteers.models import CheckKind, VolunteerStatus

RULE_KEY = "volunteers.checks"
# The work queue and the daily scan warn this many days before a required check lapses.
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class CheckRule:
    required: tuple[str, ...]
    valid_months: int
    key: str
    version: int


def check_rule(on: dt.date) -> CheckRule:
    """The rule ``volunteers.checks`` in force on ``on``."""
    version = rule(RULE_KEY, on=on)
    return CheckRule(
        required=tuple(version.params["required"]),
        valid_months=int(version.params["valid_months"]),
        key=version.key,
        version=version.version,
    )


def check_valid_until(on: dt.date, *, valid_months: int) -> dt.date:
    """The last day a check done on ``on`` is valid: ``valid_months`` months later, less a day."""
    return on + relativedelta(months=valid_months) - dt.timedelta(days=1)


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Eligibility:
    """Whether a volunteer may be assigned on ``on``, and if not, why (each reason translated)."""

    on: dt.date
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required check kinds never passed
    expired: list[str] = field(default_factory=list)  # required check kinds passed, no longer valid
    # The day the first required check lapses (None when one is missing).
    valid_until: dt.date | None = None
    rule_key: str = RULE_KEY
    rule_version: int = 0

    @property
    def message(self) -> str:
        return " ".join(self.reasons)


def eligibility(*, status: str, checks: Iterable[Any], on: dt.date) -> Eligibility:
    """A volunteer may be assigned on ``on`` only if active and, for every check kind the rule
    ``volunteers.checks`` in force on ``on`` requires, a passed check done by ``on`` is still valid
    on ``on``. ``checks`` are the volunteer's checks (objects with kind, passed, on, valid_until)."""
    current = check_rule(on)
    labels = dict(CheckKind.choices)
    reasons: list[str] = []
    if status != VolunteerStatus.ACTIVE:
        reasons.append(
            _("The volunteer is not active (%(status)s).")
            % {"status": dict(VolunteerStatus.choices).get(status, status)}
        )
    done = [c for c in checks if c.passed and c.on <= on]
    missing: list[str] = []
    expired: list[str] = []
    lapses: list[dt.date] = []
    for kind in current.required:
        of_kind = [c for c in done if c.kind == kind]
        valid = [c.valid_until for c in of_kind if c.valid_until >= on]
        label = str(labels.get(kind, kind))
        if valid:
            lapses.append(max(valid))
        elif of_kind:
            expired.append(kind)
            last = max(c.valid_until for c in of_kind)
            reasons.append(_("%(check)s expired on %(date)s.") % {"check": label, "date": _d(last)})
        else:
            missing.append(kind)
            reasons.append(_("%(check)s is missing.") % {"check": label})
    return Eligibility(
        on=on,
        eligible=not reasons,
        reasons=reasons,
        missing=missing,
        expired=expired,
        valid_until=min(lapses) if lapses and not missing and not expired else None,
        rule_key=current.key,
        rule_version=current.version,
    )

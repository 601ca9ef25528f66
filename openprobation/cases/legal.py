"""Legal rules of cases as named functions. Numbers and lists come from the rulebook; each
function names the article it applies. Results carry codes and parameters so the explanation can
be shown in any language later."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.cases.models import RestraintMeasure
from openprobation.core.exceptions import DomainError
from openprobation.people.models import Person, Sex
from openprobation.rules.rulebook import (
    RuleVersion,
    add_working_days,
    rule,
    rule_citation,
    rule_version,
    working_calendar,
)


def citation(key: str, version: int | None) -> str:
    """The act and article a stored rule reference (key + version) stands for, in the reader's
    language; empty when the reference is unknown. Pages and the API show this, never the key."""
    return rule_citation(key, int(version)) if key and version else ""


# --- Pre-trial eligibility (LoP ch. 3) ----------------------------------------------------------

CATEGORY_TEXT = {
    "minor": gettext_lazy("a minor (under %(minor_age_below)s)"),
    "disability": gettext_lazy("a person with a disability (group %(group)s)"),
    "woman_elderly": gettext_lazy("a woman aged %(woman_age_from)s or over"),
    "pregnant": gettext_lazy("a pregnant woman"),
    "woman_child_under_age": gettext_lazy("a woman with a child under %(child_age_below)s"),
    "man_elderly": gettext_lazy("a man aged %(man_age_from)s or over"),
    "man_alone_child_under_age": gettext_lazy("a man raising a child under %(child_age_below)s alone"),
}

REASON_TEXT = {
    "category": gettext_lazy("Belongs to an eligible category: %(category)s."),
    "no_category": gettext_lazy("Belongs to none of the eligible categories (%(categories)s)."),
    "excluded_measure": gettext_lazy("The restraint measure is %(measure)s: pre-trial probation does not apply."),
    "no_consent": gettext_lazy("The person's consent is not recorded; pre-trial probation is voluntary."),
    "consent": gettext_lazy("Consent recorded on %(date)s."),
}


@dataclass
class Decision:
    eligible: bool
    rule_key: str
    rule_version: int
    reasons: list[dict[str, Any]] = field(default_factory=list)

    @property
    def source(self) -> str:
        return citation(self.rule_key, self.rule_version)

    def as_json(self) -> dict[str, Any]:
        """What the case stores: the outcome, the reasons as codes, and the rule as key + version
        (the citation is rendered at read time, in the reader's language)."""
        return asdict(self)


def _category_matches(person: Person, params: dict[str, Any], on: dt.date) -> list[dict[str, Any]]:
    age = person.age_on(on)
    child_age = int(params["child_age_below"])
    has_young_child = bool(person.pk) and bool(person.children_under(child_age, on=on))
    checks = {
        "minor": age < int(params["minor_age_below"]),
        "disability": person.disability_group in params["disability_groups"],
        "woman_elderly": person.sex == Sex.FEMALE and age >= int(params["woman_age_from"]),
        "pregnant": person.sex == Sex.FEMALE and person.pregnant,
        "woman_child_under_age": person.sex == Sex.FEMALE and has_young_child,
        "man_elderly": person.sex == Sex.MALE and age >= int(params["man_age_from"]),
        "man_alone_child_under_age": person.sex == Sex.MALE and person.raises_children_alone and has_young_child,
    }
    return [
        {"code": "category", "category": code, "group": person.disability_group}
        for code in params["categories"]
        if checks.get(code)
    ]


def pretrial_eligibility(
    *, person: Person, restraint_measure: str, consent_date: dt.date | None, on: dt.date
) -> Decision:
    """Pre-trial probation applies to suspects and accused of the listed categories, voluntarily,
    and not when the restraint measure is house arrest or detention (LoP ch. 3; rulebook
    ``pretrial.eligibility``)."""
    version = rule("pretrial.eligibility", on=on)
    params = version.params
    reasons = _category_matches(person, params, on)
    eligible = bool(reasons)
    if not reasons:
        reasons.append({"code": "no_category", "categories": list(params["categories"])})
    if restraint_measure in params["excluded_restraint_measures"]:
        eligible = False
        reasons.append({"code": "excluded_measure", "measure": restraint_measure})
    if params.get("consent_required", True):
        if consent_date is None:
            eligible = False
            reasons.append({"code": "no_consent"})
        else:
            reasons.append({"code": "consent", "date": consent_date.isoformat()})
    return Decision(eligible=eligible, rule_key=version.key, rule_version=version.version, reasons=reasons)


def explain(decision: dict[str, Any]) -> list[str]:
    """The stored decision as sentences in the current language."""
    applied = _applied_rule(decision)
    params = dict(applied.params) if applied is not None else {}
    lines = []
    for reason in decision.get("reasons", []):
        code = reason.get("code")
        if code == "category":
            category = str(CATEGORY_TEXT[reason["category"]]) % {**params, "group": reason.get("group")}
            lines.append(str(REASON_TEXT["category"]) % {"category": category})
        elif code == "no_category":
            groups = "–".join(ROMAN.get(g, str(g)) for g in _ends(params.get("disability_groups", [])))
            names = [str(CATEGORY_TEXT[c]) % {**params, "group": groups} for c in reason.get("categories", [])]
            lines.append(str(REASON_TEXT["no_category"]) % {"categories": "; ".join(names)})
        elif code == "excluded_measure":
            label = dict(RestraintMeasure.choices).get(reason["measure"], reason["measure"])
            lines.append(str(REASON_TEXT["excluded_measure"]) % {"measure": str(label).lower()})
        elif code == "no_consent":
            lines.append(str(REASON_TEXT["no_consent"]))
        elif code == "consent":
            lines.append(
                str(REASON_TEXT["consent"]) % {"date": dt.date.fromisoformat(reason["date"]).strftime("%d.%m.%Y")}
            )
    return lines


ROMAN = {1: "I", 2: "II", 3: "III"}


def _ends(groups: list[int]) -> list[int]:
    ordered = sorted(int(g) for g in groups)
    return [ordered[0], ordered[-1]] if len(ordered) > 1 else ordered


def decision_source(decision: dict[str, Any]) -> str:
    """The act and article a stored decision applied, in the active language."""
    return citation(decision.get("rule_key", ""), decision.get("rule_version"))


def _applied_rule(decision: dict[str, Any]) -> RuleVersion | None:
    """The rule version a stored decision applied (from the cached rulebook)."""
    return rule_version(decision.get("rule_key", ""), int(decision.get("rule_version") or 0))


# --- Sentence kinds, terms and the probation-control period ------------------------------------


def kinds_for_type(case_type: str, *, on: dt.date) -> list[str]:
    """The sentence kinds a type of probation may carry (rule ``cases.kinds_by_type``); "" means a
    case of that type may have no sentence kind."""
    return list(rule("cases.kinds_by_type", on=on)["types"].get(case_type, []))


@dataclass(frozen=True)
class ControlPeriod:
    start: dt.date
    end: dt.date
    months: int
    days: int
    rule_key: str
    rule_version: int

    @property
    def source(self) -> str:
        return citation(self.rule_key, self.rule_version)


def _months_text(months: int, days: int = 0) -> str:
    text = _("%(months)s months") % {"months": months}
    if days:
        text += " " + _("%(days)s days") % {"days": days}
    return text


def _period(start: dt.date, months: int, days: int, version: RuleVersion) -> ControlPeriod:
    end = start + relativedelta(months=months, days=days) - dt.timedelta(days=1)
    return ControlPeriod(
        start=start, end=end, months=months, days=days, rule_key=version.key, rule_version=version.version
    )


def is_minor_at_offence(
    *, person: Person, offence_date: dt.date | None, decision_date: dt.date, minor_below: int
) -> bool:
    """A minor is someone under ``minor_below`` when the offence was committed (CC general part);
    without an offence date the decision date is the best evidence the case holds."""
    return person.age_on(offence_date or decision_date) < minor_below


def control_period(
    *,
    person: Person,
    sentence_kind: str,
    decision_date: dt.date,
    effective_date: dt.date | None,
    term_months: int | None,
    term_days: int,
    control_months: int | None,
    release_date: dt.date | None = None,
    offence_date: dt.date | None = None,
    replaces_punishment: bool = False,
    term_hours: int | None = None,
) -> ControlPeriod | None:
    """Check the imposed term against the rulebook and compute the probation-control period.

    - Restriction of liberty: CC art. 44(1) bounds by the sentence date (rule
      ``sentence.restriction_of_liberty.term``); one that replaces another punishment may be
      shorter than the minimum (CC art. 44(1), the exemption of those replaced for under six months).
    - Conditional sentence: the whole term for adults, 6–12 months for those who were minors when
      they committed the offence (CC art. 63(3), rule ``sentence.conditional.control_period``).
    - Parole: control for the unserved part of the term from the day of release (CC art. 72).
    - Other kinds: the court's term from legal effect; kinds with no control period return None.
    """
    if effective_date is not None and effective_date < decision_date:
        raise DomainError(_("The date of legal effect cannot be before the decision date."), field="effective_date")
    if offence_date is not None and offence_date > decision_date:
        raise DomainError(_("The offence cannot be committed after the decision."), field="offence_date")
    if offence_date is not None and offence_date < person.birth_date:
        raise DomainError(_("The offence date is before the person's date of birth."), field="offence_date")
    kinds = rule("sentence.kinds", on=decision_date)
    spec = kinds["kinds"].get(sentence_kind)
    if spec is None:
        return None
    if spec["term_unit"] == "hours":
        if not term_hours:
            raise DomainError(_("Enter the imposed term in hours."), field="term_hours")
        return None
    starts = spec["control_starts"]
    if starts == "none":
        return None
    if not term_months and not term_days:
        raise DomainError(_("Enter the imposed term (months and days)."), field="term_months")
    months, days = int(term_months or 0), int(term_days or 0)
    if days > 31:
        raise DomainError(_("Enter the term as months and at most 31 days."), field="term_days")
    if starts == "release_date":
        if release_date is None:
            raise DomainError(_("Enter the date of release: probation control starts on it."), field="release_date")
        start = release_date
    else:
        start = effective_date or decision_date
    if sentence_kind == "restriction_of_liberty":
        bounds = rule("sentence.restriction_of_liberty.term", on=decision_date)
        low, high = int(bounds["min_months"]), int(bounds["max_months"])
        too_short = months < low and not replaces_punishment
        if too_short or months > high or (months == high and days > 0):
            raise DomainError(
                _(
                    "A restriction of liberty of %(term)s is outside the term allowed by %(source)s "
                    "for a sentence passed on %(date)s: from %(min)s to %(max)s."
                )
                % {
                    "term": _months_text(months, days),
                    "source": bounds.source,
                    "date": decision_date.strftime("%d.%m.%Y"),
                    "min": _months_text(low),
                    "max": _months_text(high),
                },
                field="term_months",
                code="term_out_of_bounds",
            )
        return _period(start, months, days, bounds)
    if sentence_kind == "conditional":
        cp = rule("sentence.conditional.control_period", on=decision_date)
        minor = is_minor_at_offence(
            person=person,
            offence_date=offence_date,
            decision_date=decision_date,
            minor_below=int(cp["minor_age_below"]),
        )
        if minor:
            low, high = int(cp["minor_min_months"]), int(cp["minor_max_months"])
            if control_months is None:
                raise DomainError(
                    _(
                        "For a minor the court sets a probation-control period of %(min)s to %(max)s months (%(source)s); enter it."
                    )
                    % {"min": low, "max": high, "source": cp.source},
                    field="control_months",
                )
            if not low <= control_months <= high:
                raise DomainError(
                    _(
                        "A minor's probation-control period must be %(min)s to %(max)s months (%(source)s); %(given)s was entered."
                    )
                    % {"min": low, "max": high, "source": cp.source, "given": control_months},
                    field="control_months",
                    code="term_out_of_bounds",
                )
            return _period(start, control_months, 0, cp)
        if control_months is not None and control_months != months:
            raise DomainError(
                _(
                    "For an adult the probation-control period is the whole imposed term (%(source)s); leave the separate period empty."
                )
                % {"source": cp.source},
                field="control_months",
            )
        return _period(start, months, days, cp)
    return _period(start, months, days, kinds)


# --- Forced labour (CC art. 44(1)) -------------------------------------------------------------

EXEMPTION_TEXT = {
    "employed_or_studying": gettext_lazy("in permanent work or education"),
    "minor": gettext_lazy("a minor"),
    "pregnant": gettext_lazy("a pregnant woman"),
    "woman_child_under_age": gettext_lazy("a woman with a child under %(child_age_below)s"),
    "man_alone_child_under_age": gettext_lazy("a man raising a child under %(child_age_below)s alone"),
    "woman_elderly": gettext_lazy("a woman aged %(woman_age_from)s or over"),
    "man_elderly": gettext_lazy("a man aged %(man_age_from)s or over"),
    "disability_group_1_2": gettext_lazy("disability group I or II"),
    "replaced_short": gettext_lazy(
        "punishment replaced by restriction of liberty for under %(replaced_under_months)s months"
    ),
}


@dataclass
class ForcedLabour:
    applies: bool
    hours_per_year: int
    max_hours_per_day: int
    exemptions: list[str]
    judged_on: dt.date
    rule_key: str
    rule_version: int

    @property
    def source(self) -> str:
        return citation(self.rule_key, self.rule_version)


def forced_labour(*, person: Person, on: dt.date, replaced_months: int | None = None) -> ForcedLabour:
    """Restriction of liberty carries 100 hours a year of forced labour, at most 4 a day, unless
    the person is exempt (CC art. 44(1); rule ``sentence.forced_labour``), judged on ``on`` with
    the person's circumstances as recorded. Permanent work means the employment statuses the rule
    lists; education means being in education, by the flag or by the employment status."""
    version = rule("sentence.forced_labour", on=on)
    p = version.params
    age = person.age_on(on)
    child = bool(person.pk) and bool(person.children_under(int(p["child_age_below"]), on=on))
    working = person.employment_status in p["work_statuses"]
    studying = person.in_education or person.employment_status in p["education_statuses"]
    checks = {
        "employed_or_studying": working or studying,
        "minor": age < int(p["minor_age_below"]),
        "pregnant": person.sex == Sex.FEMALE and person.pregnant,
        "woman_child_under_age": person.sex == Sex.FEMALE and child,
        "man_alone_child_under_age": person.sex == Sex.MALE and person.raises_children_alone and child,
        "woman_elderly": person.sex == Sex.FEMALE and age >= int(p["woman_age_from"]),
        "man_elderly": person.sex == Sex.MALE and age >= int(p["man_age_from"]),
        "disability_group_1_2": person.disability_group in p["disability_groups"],
        "replaced_short": replaced_months is not None and replaced_months < int(p["replaced_under_months"]),
    }
    found = [code for code in p["exemptions"] if checks.get(code)]
    return ForcedLabour(
        applies=not found,
        hours_per_year=int(p["hours_per_year"]),
        max_hours_per_day=int(p["max_hours_per_day"]),
        exemptions=[str(EXEMPTION_TEXT[c]) % p for c in found],
        judged_on=on,
        rule_key=version.key,
        rule_version=version.version,
    )


# --- Registration deadlines (PEC art. 163; Order 511) ------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due: dt.date | None
    # PEC art. 163: the last day of the two weeks the person has to appear, and the first day on
    # which search measures and sending the materials to court are due if they have not.
    appear_by: dt.date | None
    search_from: dt.date | None
    rule_key: str
    rule_version: int

    @property
    def source(self) -> str:
        return citation(self.rule_key, self.rule_version)


def appearance_limit(release_date: dt.date, version: RuleVersion) -> dt.date:
    """The last day of the period to appear after release on deferral (PEC art. 163).

    Counted as the Civil Code counts periods: the day of release is not counted, so "two weeks from
    the day of release" runs from the next day and ends on the 14th day after it; a period whose
    last day is a day off ends on the next working day (when the rule says so)."""
    last = release_date + dt.timedelta(days=int(version["search_after_days"]))
    if version.get("end_moves_to_working_day", False):
        while not working_calendar(on=last).is_working_day(last):
            last += dt.timedelta(days=1)
    return last


def registration_deadline(
    *, sentence_kind: str, received_on: dt.date, release_date: dt.date | None, appeared_on: dt.date | None
) -> Deadline:
    """Released on deferral (the kinds the rule lists): register within 3 working days of the
    person's appearance; if they have not appeared within two weeks of release, search measures
    and materials to court are due from the next day (PEC art. 163). Otherwise the office's
    deadline from receipt of the court order (rule ``registration.other``, unconfirmed default)."""
    if release_date is not None:
        version = rule("registration.deferral_release", on=release_date)
        if sentence_kind in version["sentence_kinds"]:
            limit = appearance_limit(release_date, version)
            due = add_working_days(appeared_on, int(version["register_within_working_days"])) if appeared_on else None
            return Deadline(
                due=due,
                appear_by=limit,
                search_from=limit + dt.timedelta(days=1),
                rule_key=version.key,
                rule_version=version.version,
            )
    version = rule("registration.other", on=received_on)
    due = received_on + dt.timedelta(days=int(version["register_within_days"]))
    return Deadline(due=due, appear_by=None, search_from=None, rule_key=version.key, rule_version=version.version)

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

from openprobation.core.exceptions import DomainError
from openprobation.people.models import Person, Sex
from openprobation.rules.rulebook import RuleVersion, add_working_days, rule, rule_version

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
    source: str
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _category_matches(person: Person, params: dict[str, Any], on: dt.date) -> list[dict[str, Any]]:
    age = person.age_on(on)
    child_age = int(params["child_age_below"])
    has_young_child = bool(person.pk) and bool(person.children_under(child_age, on=on))
    checks = {
        "minor": age < int(params["minor_age_below"]),
        "disability": person.disability_group in (1, 2, 3),
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
    return Decision(
        eligible=eligible, rule_key=version.key, rule_version=version.version, source=version.source, reasons=reasons
    )


def explain(decision: dict[str, Any]) -> list[str]:
    """The stored decision as sentences in the current language."""
    from openprobation.cases.models import RestraintMeasure

    applied = _applied_rule(decision)
    params = dict(applied.params) if applied is not None else {}
    lines = []
    for reason in decision.get("reasons", []):
        code = reason.get("code")
        if code == "category":
            category = str(CATEGORY_TEXT[reason["category"]]) % {**params, "group": reason.get("group")}
            lines.append(str(REASON_TEXT["category"]) % {"category": category})
        elif code == "no_category":
            names = [str(CATEGORY_TEXT[c]) % {**params, "group": "I–III"} for c in reason.get("categories", [])]
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


def decision_source(decision: dict[str, Any]) -> str:
    """The act and article a stored decision applied, in the active language."""
    applied = _applied_rule(decision)
    return applied.source if applied is not None else str(decision.get("source", ""))


def _applied_rule(decision: dict[str, Any]) -> RuleVersion | None:
    """The rule version a stored decision applied (from the cached rulebook)."""
    return rule_version(decision.get("rule_key", ""), int(decision.get("rule_version") or 0))


# --- Terms and the probation-control period ----------------------------------------------------


@dataclass(frozen=True)
class ControlPeriod:
    start: dt.date
    end: dt.date
    months: int
    days: int
    source: str


def _months_text(months: int, days: int = 0) -> str:
    text = _("%(months)s months") % {"months": months}
    if days:
        text += " " + _("%(days)s days") % {"days": days}
    return text


def _period(start: dt.date, months: int, days: int, source: str) -> ControlPeriod:
    end = start + relativedelta(months=months, days=days) - dt.timedelta(days=1)
    return ControlPeriod(start=start, end=end, months=months, days=days, source=source)


TERM_KINDS = {
    "restriction_of_liberty",
    "conditional",
    "parole",
    "correctional_labour",
    "deprivation_of_right",
    "deferral",
    "community_service",
    "imprisonment",
}


def control_period(
    *,
    person: Person,
    sentence_kind: str,
    decision_date: dt.date,
    effective_date: dt.date | None,
    term_months: int | None,
    term_days: int,
    control_months: int | None,
) -> ControlPeriod | None:
    """Check the imposed term against the rulebook and compute the probation-control period.

    Restriction of liberty: CC art. 44(1) bounds by the sentence date (rule
    ``sentence.restriction_of_liberty.term``). Conditional sentence: the whole term for adults,
    6–12 months for minors (CC art. 63(3), rule ``sentence.conditional.control_period``).
    """
    start = effective_date or decision_date
    if effective_date is not None and effective_date < decision_date:
        raise DomainError(_("The date of legal effect cannot be before the decision date."), field="effective_date")
    if sentence_kind in TERM_KINDS and not term_months and not term_days:
        raise DomainError(_("Enter the imposed term (months and days)."), field="term_months")
    months, days = int(term_months or 0), int(term_days or 0)
    if days > 31:
        raise DomainError(_("Enter the term as months and at most 31 days."), field="term_days")
    if sentence_kind == "restriction_of_liberty":
        bounds = rule("sentence.restriction_of_liberty.term", on=decision_date)
        low, high = int(bounds["min_months"]), int(bounds["max_months"])
        if months < low or months > high or (months == high and days > 0):
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
        return _period(start, months, days, bounds.source)
    if sentence_kind == "conditional":
        cp = rule("sentence.conditional.control_period", on=decision_date)
        if person.age_on(decision_date) < int(cp["minor_age_below"]):
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
            return _period(start, control_months, 0, cp.source)
        if control_months is not None and control_months != months:
            raise DomainError(
                _(
                    "For an adult the probation-control period is the whole imposed term (%(source)s); leave the separate period empty."
                )
                % {"source": cp.source},
                field="control_months",
            )
        return _period(start, months, days, cp.source)
    if sentence_kind in TERM_KINDS and sentence_kind != "imprisonment":
        return _period(start, months, days, _("court decision"))
    return None


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
    source: str


def forced_labour(*, person: Person, on: dt.date, replaced_months: int | None = None) -> ForcedLabour:
    """Restriction of liberty carries 100 hours a year of forced labour, at most 4 a day, unless
    the person is exempt (CC art. 44(1); rule ``sentence.forced_labour``)."""
    version = rule("sentence.forced_labour", on=on)
    p = version.params
    age = person.age_on(on)
    child = bool(person.pk) and bool(person.children_under(int(p["child_age_below"]), on=on))
    checks = {
        "employed_or_studying": person.employment_status in ("employed", "self_employed") or person.in_education,
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
        source=version.source,
    )


# --- Registration deadlines (PEC art. 163; Order 511) ------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due: dt.date | None
    search_from: dt.date | None
    rule_label: str


def registration_deadline(
    *, sentence_kind: str, received_on: dt.date, release_date: dt.date | None, appeared_on: dt.date | None
) -> Deadline:
    """Released on deferral: register within 3 working days of appearance; start search if the
    person has not appeared 14 days after release (PEC art. 163). Otherwise the office's deadline
    from receipt of the court order (rule ``registration.other``, unconfirmed default)."""
    if sentence_kind == "deferral" and release_date is not None:
        version = rule("registration.deferral_release", on=release_date)
        search_from = release_date + dt.timedelta(days=int(version["search_after_days"]))
        due = add_working_days(appeared_on, int(version["register_within_working_days"])) if appeared_on else None
        return Deadline(
            due=due, search_from=search_from, rule_label=f"{version.key} v{version.version} ({version.source})"
        )
    version = rule("registration.other", on=received_on)
    due = received_on + dt.timedelta(days=int(version["register_within_days"]))
    return Deadline(due=due, search_from=None, rule_label=f"{version.key} v{version.version} ({version.source})")

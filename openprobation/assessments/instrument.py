"""An instrument as data: its items, the terms that turn answers into a score, and the bands that
turn a score into a level.

An instrument version's ``definition`` (JSON, edited by the system administrator or shipped in
``fixtures/instruments.json``) is parsed here into typed, frozen objects; ``definition_errors``
names every mismatch by its path, so a typo is refused when the version is saved, not when an
officer scores a case. Scoring itself is in ``scoring.py``.

The definition::

    {
      "combine": "logistic" | "sum",     # a probability from a logistic sum, or a sum of points
      "intercept": 2.1217,               # added to the sum (logistic)
      "horizon_months": 24,              # what the probability predicts (logistic)
      "sections": [{"code", "title": {"en", "kk", "ru"}, "items": [item codes]}],
      "items": [{
          "code", "title": {...}, "help": {...}?,
          "type": "number" | "choice" | "text",
          "min", "max", "integer": true,           # number
          "options": [{"code", "label": {...}, "points": 0}],   # choice
          "domain": "accommodation"?,               # the need domain a dynamic item feeds
          "scored": true,                           # false: recorded, never scored (responsivity)
          "required": true,
          "prefill": "age_at_assessment"?           # a fact the case file holds (see facts.py)
      }],
      "derived": [{"code", "title", "difference": [a, b]}],   # a - b, e.g. years since first conviction
      "terms": [
        {"code", "label", "kind": "lookup", "item", "values": {option: coefficient}},
        {"code", "label", "kind": "bands", "item", "bands": [[from, coefficient], ...]},
        {"code", "label", "kind": "cross", "item": choice, "by": number,
             "table": {option: [[from, coefficient], ...]}},
        {"code", "label", "kind": "log_rate", "coefficient", "numerator": {"item", "add"},
             "denominator": {"item", "add"}},          # coefficient * ln((n + a) / (d + b))
        {"code", "label", "kind": "linear", "item", "coefficient"},
        {"code", "label", "kind": "points", "item"}    # the chosen option's points
      ],
      "levels": {"on": "probability" | "score",
                 "bands": [{"code", "label": {...}, "from": 0}, ...]},   # ascending
      "domains": [{"code", "label": {...}}],           # needs: each domain's rating is the sum
      "domain_bands": [{"code", "label", "from"}]      #   of its items' points, banded
    }
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openprobation.core.exceptions import DomainError

LANGUAGES = ("en", "kk", "ru")
ITEM_TYPES = ("number", "choice", "text")
TERM_KINDS = ("lookup", "bands", "cross", "log_rate", "linear", "points")
COMBINE = ("logistic", "sum")


class InvalidInstrument(DomainError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors), field="definition", code="invalid_instrument")
        self.errors = errors


def pick(text: dict[str, str] | str, language: str | None = None) -> str:
    """A multilingual text in the reader's language (Russian, then English, when missing)."""
    if isinstance(text, str):
        return text
    lang = (language or get_language() or "en")[:2]
    return text.get(lang) or text.get("ru") or text.get("en") or ""


@dataclass(frozen=True)
class Option:
    code: str
    label: dict[str, str]
    points: float = 0.0


@dataclass(frozen=True)
class Item:
    code: str
    title: dict[str, str]
    type: str
    help: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    options: tuple[Option, ...] = ()
    domain: str = ""
    scored: bool = True
    required: bool = True
    prefill: str = ""
    # For a choice filled from the case's Criminal Code articles: [first, last, option] ranges.
    article_map: tuple[tuple[int, int, str], ...] = ()

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Derived:
    code: str
    title: dict[str, str]
    difference: tuple[str, str]


@dataclass(frozen=True)
class Term:
    code: str
    label: dict[str, str]
    kind: str
    item: str = ""
    by: str = ""
    values: dict[str, float] = field(default_factory=dict)
    bands: tuple[tuple[float, float], ...] = ()
    table: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    coefficient: float = 0.0
    numerator: tuple[str, float] = ("", 0.0)
    denominator: tuple[str, float] = ("", 0.0)

    @property
    def items(self) -> tuple[str, ...]:
        if self.kind == "cross":
            return (self.item, self.by)
        if self.kind == "log_rate":
            return (self.numerator[0], self.denominator[0])
        return (self.item,)


@dataclass(frozen=True)
class Band:
    code: str
    label: dict[str, str]
    start: float


@dataclass(frozen=True)
class Section:
    code: str
    title: dict[str, str]
    items: tuple[str, ...]


@dataclass(frozen=True)
class Domain:
    code: str
    label: dict[str, str]


@dataclass(frozen=True)
class InstrumentSpec:
    combine: str
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    terms: tuple[Term, ...]
    levels_on: str
    levels: tuple[Band, ...]
    intercept: float = 0.0
    horizon_months: int = 0
    derived: tuple[Derived, ...] = ()
    domains: tuple[Domain, ...] = ()
    domain_bands: tuple[Band, ...] = ()

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.items)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    def level(self, code: str) -> Band | None:
        return next((b for b in self.levels if b.code == code), None)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(b.code for b in self.levels)

    def domain(self, code: str) -> Domain | None:
        return next((d for d in self.domains if d.code == code), None)

    def with_coefficients(self, intercept: float, terms: tuple[Term, ...]) -> InstrumentSpec:
        return InstrumentSpec(
            combine=self.combine,
            sections=self.sections,
            items=self.items,
            terms=terms,
            levels_on=self.levels_on,
            levels=self.levels,
            intercept=intercept,
            horizon_months=self.horizon_months,
            derived=self.derived,
            domains=self.domains,
            domain_bands=self.domain_bands,
        )


# --- Checking and parsing ------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def text(self, value: Any, path: str) -> dict[str, str]:
        if not isinstance(value, dict) or not all(
            isinstance(value.get(lang), str) and value[lang] for lang in LANGUAGES
        ):
            self.fail(path, _("expected a text in each of en, kk and ru"))
            return {"en": "", "kk": "", "ru": ""}
        return {lang: str(value[lang]) for lang in LANGUAGES}

    def code(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value or len(value) > 64 or not value.replace("_", "").isalnum():
            self.fail(path, _("expected a code of letters, digits and underscores"))
            return ""
        return value

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(path, _("expected a number"))
            return 0.0
        return float(value)

    def bands(self, value: Any, path: str) -> tuple[tuple[float, float], ...]:
        if not isinstance(value, list) or not value:
            self.fail(path, _("expected a list of [from, coefficient] pairs"))
            return ()
        out = []
        for i, pair in enumerate(value):
            if not isinstance(pair, list) or len(pair) != 2:
                self.fail(f"{path}[{i}]", _("expected [from, coefficient]"))
                continue
            out.append((self.number(pair[0], f"{path}[{i}][0]"), self.number(pair[1], f"{path}[{i}][1]")))
        starts = [s for s, _c in out]
        if starts != sorted(set(starts)):
            self.fail(path, _("the bands must start at increasing values"))
        return tuple(out)


def _article_map(c: _Checker, raw: Any, path: str, options: set[str]) -> tuple[tuple[int, int, str], ...]:
    if raw is None:
        return ()
    out = []
    for i, entry in enumerate(raw if isinstance(raw, list) else [None]):
        ok = (
            isinstance(entry, list)
            and len(entry) == 3
            and all(isinstance(x, int) and not isinstance(x, bool) for x in entry[:2])
        )
        if not ok or entry[0] > entry[1] or entry[2] not in options:
            c.fail(f"{path}[{i}]", _("expected [first article, last article, option]"))
            continue
        out.append((int(entry[0]), int(entry[1]), str(entry[2])))
    return tuple(out)


def _parse(definition: Any) -> tuple[InstrumentSpec | None, list[str]]:
    c = _Checker()
    if not isinstance(definition, dict):
        return None, [_("definition: expected an object")]
    combine = definition.get("combine")
    if combine not in COMBINE:
        c.fail("definition.combine", _("expected one of: %(choices)s") % {"choices": ", ".join(COMBINE)})
    items: list[Item] = []
    for i, raw in enumerate(definition.get("items") or []):
        path = f"definition.items[{i}]"
        if not isinstance(raw, dict):
            c.fail(path, _("expected an object"))
            continue
        kind = raw.get("type")
        if kind not in ITEM_TYPES:
            c.fail(f"{path}.type", _("expected one of: %(choices)s") % {"choices": ", ".join(ITEM_TYPES)})
        options = []
        for j, opt in enumerate(raw.get("options") or []):
            opath = f"{path}.options[{j}]"
            if not isinstance(opt, dict):
                c.fail(opath, _("expected an object"))
                continue
            options.append(
                Option(
                    code=c.code(opt.get("code"), f"{opath}.code"),
                    label=c.text(opt.get("label"), f"{opath}.label"),
                    points=c.number(opt.get("points", 0), f"{opath}.points"),
                )
            )
        if kind == "choice" and len(options) < 2:
            c.fail(f"{path}.options", _("a choice needs at least two options"))
        if len({o.code for o in options}) != len(options):
            c.fail(f"{path}.options", _("option codes must be unique"))
        minimum = raw.get("min")
        maximum = raw.get("max")
        if kind == "number":
            if minimum is None or maximum is None:
                c.fail(path, _("a number needs min and max"))
            elif c.number(minimum, f"{path}.min") > c.number(maximum, f"{path}.max"):
                c.fail(path, _("min is greater than max"))
        items.append(
            Item(
                code=c.code(raw.get("code"), f"{path}.code"),
                title=c.text(raw.get("title"), f"{path}.title"),
                type=str(kind),
                help=c.text(raw["help"], f"{path}.help") if raw.get("help") else {},
                minimum=float(minimum) if isinstance(minimum, int | float) else None,
                maximum=float(maximum) if isinstance(maximum, int | float) else None,
                integer=bool(raw.get("integer", False)),
                options=tuple(options),
                domain=str(raw.get("domain") or ""),
                scored=bool(raw.get("scored", kind != "text")),
                required=bool(raw.get("required", True)),
                prefill=str(raw.get("prefill") or ""),
                article_map=_article_map(c, raw.get("article_map"), f"{path}.article_map", {o.code for o in options}),
            )
        )
    codes = [i.code for i in items]
    if not items:
        c.fail("definition.items", _("an instrument needs at least one item"))
    if len(set(codes)) != len(codes):
        c.fail("definition.items", _("item codes must be unique"))
    by_code = {i.code: i for i in items}

    derived = []
    for i, raw in enumerate(definition.get("derived") or []):
        path = f"definition.derived[{i}]"
        diff = raw.get("difference") if isinstance(raw, dict) else None
        if not isinstance(diff, list) or len(diff) != 2 or not all(d in by_code for d in diff):
            c.fail(f"{path}.difference", _("expected two number items"))
            continue
        derived.append(
            Derived(
                c.code(raw.get("code"), f"{path}.code"), c.text(raw.get("title"), f"{path}.title"), (diff[0], diff[1])
            )
        )
    numeric = {i.code for i in items if i.type == "number"} | {d.code for d in derived}

    terms: list[Term] = []
    for i, raw in enumerate(definition.get("terms") or []):
        path = f"definition.terms[{i}]"
        if not isinstance(raw, dict):
            c.fail(path, _("expected an object"))
            continue
        kind = raw.get("kind")
        code = c.code(raw.get("code"), f"{path}.code")
        label = c.text(raw.get("label"), f"{path}.label")
        item_code = str(raw.get("item") or "")
        item = by_code.get(item_code)
        if kind == "lookup":
            values = raw.get("values")
            if item is None or item.type != "choice":
                c.fail(f"{path}.item", _("expected a choice item"))
            elif not isinstance(values, dict) or set(values) != set(item.option_codes):
                c.fail(
                    f"{path}.values",
                    _("expected a coefficient for each option: %(options)s")
                    % {"options": ", ".join(item.option_codes)},
                )
            else:
                terms.append(
                    Term(
                        code,
                        label,
                        kind,
                        item=item_code,
                        values={k: c.number(v, f"{path}.values.{k}") for k, v in values.items()},
                    )
                )
        elif kind == "bands":
            if item_code not in numeric:
                c.fail(f"{path}.item", _("expected a number item"))
            terms.append(Term(code, label, kind, item=item_code, bands=c.bands(raw.get("bands"), f"{path}.bands")))
        elif kind == "cross":
            by = str(raw.get("by") or "")
            table = raw.get("table")
            if item is None or item.type != "choice":
                c.fail(f"{path}.item", _("expected a choice item"))
            elif by not in numeric:
                c.fail(f"{path}.by", _("expected a number item"))
            elif not isinstance(table, dict) or set(table) != set(item.option_codes):
                c.fail(
                    f"{path}.table",
                    _("expected bands for each option: %(options)s") % {"options": ", ".join(item.option_codes)},
                )
            else:
                terms.append(
                    Term(
                        code,
                        label,
                        kind,
                        item=item_code,
                        by=by,
                        table={k: c.bands(v, f"{path}.table.{k}") for k, v in table.items()},
                    )
                )
        elif kind == "log_rate":
            parts = []
            for part in ("numerator", "denominator"):
                spec = raw.get(part)
                if not isinstance(spec, dict) or spec.get("item") not in numeric:
                    c.fail(f"{path}.{part}", _("expected a number item and what to add"))
                    parts.append(("", 0.0))
                else:
                    parts.append((str(spec["item"]), c.number(spec.get("add", 0), f"{path}.{part}.add")))
            terms.append(
                Term(
                    code,
                    label,
                    kind,
                    coefficient=c.number(raw.get("coefficient"), f"{path}.coefficient"),
                    numerator=parts[0],
                    denominator=parts[1],
                )
            )
        elif kind == "linear":
            if item_code not in numeric:
                c.fail(f"{path}.item", _("expected a number item"))
            terms.append(
                Term(
                    code,
                    label,
                    kind,
                    item=item_code,
                    coefficient=c.number(raw.get("coefficient"), f"{path}.coefficient"),
                )
            )
        elif kind == "points":
            if item is None or item.type != "choice":
                c.fail(f"{path}.item", _("expected a choice item"))
            terms.append(Term(code, label, kind, item=item_code))
        else:
            c.fail(f"{path}.kind", _("expected one of: %(choices)s") % {"choices": ", ".join(TERM_KINDS)})
    if not terms:
        c.fail("definition.terms", _("an instrument needs at least one term"))
    term_codes = [t.code for t in terms]
    if len(set(term_codes)) != len(term_codes):
        c.fail("definition.terms", _("term codes must be unique"))

    sections = []
    placed: list[str] = []
    for i, raw in enumerate(definition.get("sections") or []):
        path = f"definition.sections[{i}]"
        if not isinstance(raw, dict):
            c.fail(path, _("expected an object"))
            continue
        members = raw.get("items") or []
        unknown = [m for m in members if m not in by_code]
        if unknown:
            c.fail(f"{path}.items", _("unknown items: %(items)s") % {"items": ", ".join(map(str, unknown))})
        placed.extend(members)
        sections.append(
            Section(c.code(raw.get("code"), f"{path}.code"), c.text(raw.get("title"), f"{path}.title"), tuple(members))
        )
    if sorted(placed) != sorted(codes):
        c.fail("definition.sections", _("every item must be in exactly one section"))

    def bands_of(raw: Any, path: str) -> tuple[Band, ...]:
        out = []
        for i, b in enumerate(raw or []):
            if not isinstance(b, dict):
                c.fail(f"{path}[{i}]", _("expected an object"))
                continue
            out.append(
                Band(
                    c.code(b.get("code"), f"{path}[{i}].code"),
                    c.text(b.get("label"), f"{path}[{i}].label"),
                    c.number(b.get("from"), f"{path}[{i}].from"),
                )
            )
        starts = [b.start for b in out]
        if not out:
            c.fail(path, _("expected at least one band"))
        elif starts != sorted(set(starts)):
            c.fail(path, _("the bands must start at increasing values"))
        return tuple(out)

    levels_raw = definition.get("levels") or {}
    levels_on = levels_raw.get("on") if isinstance(levels_raw, dict) else None
    if levels_on not in ("probability", "score"):
        c.fail("definition.levels.on", _("expected probability or score"))
    if levels_on == "probability" and combine != "logistic":
        c.fail("definition.levels.on", _("only a logistic instrument gives a probability"))
    levels = bands_of(levels_raw.get("bands") if isinstance(levels_raw, dict) else None, "definition.levels.bands")

    domains = []
    for i, raw in enumerate(definition.get("domains") or []):
        domains.append(
            Domain(
                c.code(raw.get("code") if isinstance(raw, dict) else None, f"definition.domains[{i}].code"),
                c.text(raw.get("label") if isinstance(raw, dict) else None, f"definition.domains[{i}].label"),
            )
        )
    domain_codes = {d.code for d in domains}
    for i, item in enumerate(items):
        if item.domain and item.domain not in domain_codes:
            c.fail(f"definition.items[{i}].domain", _("unknown need domain “%(domain)s”") % {"domain": item.domain})
    domain_bands = bands_of(definition.get("domain_bands"), "definition.domain_bands") if domains else ()

    horizon = definition.get("horizon_months", 0)
    if combine == "logistic" and (not isinstance(horizon, int) or isinstance(horizon, bool) or horizon <= 0):
        c.fail("definition.horizon_months", _("expected the months the probability predicts"))
    if c.errors:
        return None, c.errors
    return (
        InstrumentSpec(
            combine=str(combine),
            sections=tuple(sections),
            items=tuple(items),
            terms=tuple(terms),
            levels_on=str(levels_on),
            levels=levels,
            intercept=c.number(definition.get("intercept", 0), "definition.intercept"),
            horizon_months=int(horizon) if isinstance(horizon, int) else 0,
            derived=tuple(derived),
            domains=tuple(domains),
            domain_bands=domain_bands,
        ),
        [],
    )


def definition_errors(definition: Any) -> list[str]:
    """Every mismatch of a definition with the shape above, by path; empty when it is sound."""
    return _parse(definition)[1]


def parse_definition(definition: Any) -> InstrumentSpec:
    spec, errors = _parse(definition)
    if spec is None:
        raise InvalidInstrument(errors)
    return spec


def spec_to_definition(spec: InstrumentSpec, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a definition) with the intercept and term coefficients of ``spec`` written in:
    how a calibrated version is stored."""
    out = dict(base)
    out["intercept"] = round(spec.intercept, 6)
    terms = []
    by_code = {t.code: t for t in spec.terms}
    for raw in base["terms"]:
        term = by_code[raw["code"]]
        new = dict(raw)
        if term.kind == "lookup":
            new["values"] = {k: round(v, 6) for k, v in term.values.items()}
        elif term.kind == "bands":
            new["bands"] = [[s, round(v, 6)] for s, v in term.bands]
        elif term.kind == "cross":
            new["table"] = {k: [[s, round(v, 6)] for s, v in bands] for k, bands in term.table.items()}
        elif term.kind in ("log_rate", "linear"):
            new["coefficient"] = round(term.coefficient, 6)
        terms.append(new)
    out["terms"] = terms
    return out

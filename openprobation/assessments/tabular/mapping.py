"""One ``--map`` spec: where an item's value comes from (a column, a recode, a derived age, a constant)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from openprobation.assessments.tabular.base import MappingError, MappingKind


@dataclass(frozen=True)
class Mapping:
    """One ``--map`` spec: where an item's value comes from."""

    item: str
    kind: MappingKind
    columns: tuple[str, ...]
    recode: dict[str, str]
    value: str = ""
    spec: str = ""


_ITEM = re.compile(r"[^\s\"=:(),]+")
_DERIVED = re.compile(r"(age|years)\s*\((.*)\)", re.IGNORECASE | re.DOTALL)


def parse_mapping(spec: str) -> Mapping:
    """Read one ``--map`` spec.

    ``item=column`` takes the column as it is; ``item=column:Raw->code,Other->code`` recodes
    (matching trimmed and case-insensitively; ``""->code`` gives empty cells a code);
    ``item=age(birth_column,reference_column)`` and ``item=years(from_column,to_column)`` are the
    full years between two dates; ``item=const:value`` is the same value for every row. A column
    name or value with spaces, commas, ``:``, ``=`` or ``->`` in it can be put in double quotes."""
    text = spec.strip()
    if "=" not in text:
        raise MappingError(
            _("The mapping “%(spec)s” has no “=”: write item=column, e.g. age=age_years.") % {"spec": spec}
        )
    item, _eq, source = text.partition("=")
    item, source = item.strip(), source.strip()
    if not item:
        raise MappingError(_("The mapping “%(spec)s” does not name an item before “=”.") % {"spec": spec})
    if not _ITEM.fullmatch(item):
        raise MappingError(
            _("The mapping “%(spec)s” has “%(item)s” as the item code; an item code has no spaces, quotes or ( ) , :.")
            % {"spec": spec, "item": item}
        )
    if not source:
        raise MappingError(_("The mapping “%(spec)s” names no column after “=”.") % {"spec": spec})
    if source[:6].lower() == "const:":
        value = _unquote(source[6:], spec)
        if not value:
            raise MappingError(
                _("The mapping “%(spec)s” gives no value after “const:”, e.g. %(item)s=const:theft.")
                % {"spec": spec, "item": item}
            )
        return Mapping(item=item, kind="constant", columns=(), recode={}, value=value, spec=spec)
    derived = _DERIVED.fullmatch(source)
    if derived is not None:
        function = derived.group(1).lower()
        args = _split(derived.group(2), ",", spec)
        if not (len(args) == 1 and args[0].strip().isdigit()):  # "age (2)" is a repeated column "age"
            if len(args) != 2:  # noqa: PLR2004 - two dates
                raise MappingError(
                    _(
                        "The mapping “%(spec)s”: %(function)s() takes two date columns, the earlier date and the "
                        "reference date, e.g. %(function)s(birth_date,assessed_on). A column whose name looks "
                        "like this goes in double quotes."
                    )
                    % {"spec": spec, "function": function}
                )
            first, second = (_unquote(a, spec) for a in args)
            if not first or not second:
                raise MappingError(
                    _("The mapping “%(spec)s”: %(function)s() is missing a column name.")
                    % {"spec": spec, "function": function}
                )
            kind: MappingKind = "age" if function == "age" else "years"
            return Mapping(item=item, kind=kind, columns=(first, second), recode={}, spec=spec)
    parts = _split(source, ":", spec, maxsplit=1)
    column = _unquote(parts[0], spec)
    if not column:
        raise MappingError(_("The mapping “%(spec)s” names no column before “:”.") % {"spec": spec})
    if len(parts) == 1:
        return Mapping(item=item, kind="column", columns=(column,), recode={}, spec=spec)
    return Mapping(item=item, kind="recode", columns=(column,), recode=_parse_recode(parts[1], spec), spec=spec)


def _parse_recode(text: str, spec: str) -> dict[str, str]:
    recode: dict[str, str] = {}
    folded: dict[str, str] = {}
    for pair in _split(text, ",", spec):
        if not pair.strip():
            continue
        sides = _split(pair, "->", spec)
        if len(sides) != 2:  # noqa: PLR2004 - raw and code
            raise MappingError(
                _("The mapping “%(spec)s”: “%(pair)s” is not of the form value->code, e.g. Male->M.")
                % {"spec": spec, "pair": pair.strip()}
            )
        raw, code = _unquote(sides[0], spec), _unquote(sides[1], spec)
        if not code:
            raise MappingError(
                _("The mapping “%(spec)s”: “%(pair)s” gives no code after “->”.") % {"spec": spec, "pair": pair.strip()}
            )
        key = raw.casefold()
        if key in folded and recode[folded[key]] != code:
            raise MappingError(
                _("The mapping “%(spec)s” recodes “%(value)s” twice, to “%(first)s” and to “%(second)s”.")
                % {"spec": spec, "value": raw, "first": recode[folded[key]], "second": code}
            )
        folded.setdefault(key, raw)
        recode.setdefault(folded[key], code)
    if not recode:
        raise MappingError(
            _("The mapping “%(spec)s” has nothing to recode after “:”; write e.g. sex:Male->M,Female->F.")
            % {"spec": spec}
        )
    return recode


def _split(text: str, separator: str, spec: str, *, maxsplit: int = -1) -> list[str]:
    """Split on ``separator`` outside double quotes."""
    parts: list[str] = []
    start = i = 0
    quoted = False
    while i < len(text):
        if text[i] == '"':
            quoted = not quoted
        elif not quoted and text.startswith(separator, i) and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append(text[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    if quoted:
        raise MappingError(_("The mapping “%(spec)s” has a double quote that is not closed.") % {"spec": spec})
    parts.append(text[start:])
    return parts


def _unquote(text: str, spec: str) -> str:
    """A name or value: trimmed, or the text between double quotes (``""`` inside is one quote)."""
    text = text.strip()
    if not text.startswith('"'):
        if '"' in text:
            raise MappingError(
                _("The mapping “%(spec)s”: “%(text)s” has a double quote inside; quote the whole name.")
                % {"spec": spec, "text": text}
            )
        return text
    inner = text[1:-1] if len(text) > 1 and text.endswith('"') else None
    if inner is None or '"' in inner.replace('""', ""):
        raise MappingError(
            _("The mapping “%(spec)s”: “%(text)s” has text outside its double quotes.") % {"spec": spec, "text": text}
        )
    return inner.replace('""', '"')

"""Typed parameters of a condition: the placeholders of its legal text, how each is validated,
and how each value is written in Kazakh, Russian and English.

A definition's ``params_schema`` maps each placeholder of its texts to a type::

    {"times": "time_range", "weekdays": "weekdays"}

Values as stored (and as the API takes them):

- ``time_range``: ``{"from": "22:00", "to": "06:00"}`` (may run past midnight)
- ``weekdays``: ISO weekday numbers, ``[1, 3, 5]`` (1 = Monday)
- ``text_list``: ``["bars", "casinos"]``
- ``zone``: ``"Astana"``
- ``positive_int``: ``2``
- ``period``: ``"week"`` or ``"month"``
- ``date_or_days``: ``{"date": "2027-03-01"}`` or ``{"days": 30}``

Rendering is pure (no database, no translation catalogue): the words are kept here in the three
languages, so the legal text reads the same on every server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openprobation.core.exceptions import DomainError

TIME_RANGE = "time_range"
WEEKDAYS = "weekdays"
TEXT_LIST = "text_list"
ZONE = "zone"
POSITIVE_INT = "positive_int"
PERIOD = "period"
DATE_OR_DAYS = "date_or_days"

PARAM_TYPES: dict[str, Promise] = {
    TIME_RANGE: _("time range"),
    WEEKDAYS: _("days of the week"),
    TEXT_LIST: _("list of texts"),
    ZONE: _("zone name"),
    POSITIVE_INT: _("positive whole number"),
    PERIOD: _("period (week or month)"),
    DATE_OR_DAYS: _("date or number of days"),
}

# Labels of the placeholders the shipped catalogue uses (others are labelled by their type).
PLACEHOLDER_LABELS: dict[str, Promise] = {
    "times": _("Hours"),
    "weekdays": _("Days of the week"),
    "places": _("Places"),
    "zone": _("Zone (locality)"),
    "reports": _("Number of reports"),
    "period": _("Per"),
    "deadline": _("Deadline"),
    "treatments": _("Treatment"),
}

LANGUAGES = ("kk", "ru", "en")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

MAX_INT = 99
MAX_DAYS = 3650
MAX_TEXTS = 20
MAX_TEXT = 200
MIN_YEAR, MAX_YEAR = 2000, 2100


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def label_of(name: str, kind: str) -> str:
    return str(PLACEHOLDER_LABELS.get(name) or PARAM_TYPES.get(kind) or name)


def schema_errors(schema: Any) -> list[str]:
    """What is wrong with a params schema itself (empty when it is fine)."""
    if not isinstance(schema, dict):
        return [str(_("Enter an object mapping each placeholder to its type."))]
    errors = []
    for name, kind in schema.items():
        if not isinstance(name, str) or not _NAME.match(name):
            errors.append(str(_("“%(name)s” is not a valid placeholder name.") % {"name": name}))
        elif kind not in PARAM_TYPES:
            errors.append(
                str(
                    _("The type of “%(name)s” must be one of: %(types)s.")
                    % {"name": name, "types": ", ".join(PARAM_TYPES)}
                )
            )
    return errors


def text_mismatch(text: str, schema: Mapping[str, Any]) -> str:
    """Why a legal text does not match the schema's placeholders ("" when it does)."""
    found, declared = placeholders(text), set(schema)
    parts = []
    if found - declared:
        parts.append(
            str(_("placeholders not in the parameters: %(names)s") % {"names": ", ".join(sorted(found - declared))})
        )
    if declared - found:
        parts.append(
            str(_("parameters missing from the text: %(names)s") % {"names": ", ".join(sorted(declared - found))})
        )
    return "; ".join(parts)


# --- Validation ----------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _clean_one(kind: str, value: Any) -> tuple[Any, str | Promise]:
    """(normalised value, "") or (None, the error)."""
    if kind == TIME_RANGE:
        if not isinstance(value, dict) or set(value) != {"from", "to"}:
            return None, _("Enter the start and end time.")
        start, end = value.get("from"), value.get("to")
        if not (isinstance(start, str) and _TIME.match(start) and isinstance(end, str) and _TIME.match(end)):
            return None, _("Enter times as HH:MM, from 00:00 to 23:59.")
        if start == end:
            return None, _("The start and end time must differ.")
        return {"from": start, "to": end}, ""
    if kind == WEEKDAYS:
        if not isinstance(value, list) or not value or not all(_is_int(d) and 1 <= d <= 7 for d in value):
            return None, _("Choose at least one day of the week.")
        if len(set(value)) != len(value):
            return None, _("A day of the week is chosen twice.")
        return sorted(value), ""
    if kind == TEXT_LIST:
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            return None, _("Enter a list of texts.")
        items = [t.strip() for t in value if t.strip()]
        if not items:
            return None, _("Enter at least one item.")
        if len(items) > MAX_TEXTS or any(len(t) > MAX_TEXT for t in items):
            return None, _("Enter at most %(n)s items of at most %(len)s characters each.") % {
                "n": MAX_TEXTS,
                "len": MAX_TEXT,
            }
        return items, ""
    if kind == ZONE:
        if not isinstance(value, str) or not value.strip():
            return None, _("Enter the name of the zone.")
        if len(value.strip()) > MAX_TEXT:
            return None, _("Enter at most %(len)s characters.") % {"len": MAX_TEXT}
        return value.strip(), ""
    if kind == POSITIVE_INT:
        if not _is_int(value) or not 1 <= value <= MAX_INT:
            return None, _("Enter a whole number from 1 to %(max)s.") % {"max": MAX_INT}
        return value, ""
    if kind == PERIOD:
        if value not in ("week", "month"):
            return None, _("Choose a week or a month.")
        return value, ""
    if kind == DATE_OR_DAYS:
        if isinstance(value, dict) and set(value) == {"date"}:
            day = _date(value["date"])
            if day is None:
                return None, _("Enter a date as YYYY-MM-DD between %(min)s and %(max)s.") % {
                    "min": MIN_YEAR,
                    "max": MAX_YEAR,
                }
            return {"date": day.isoformat()}, ""
        if isinstance(value, dict) and set(value) == {"days"}:
            if not _is_int(value["days"]) or not 1 <= value["days"] <= MAX_DAYS:
                return None, _("Enter a number of days from 1 to %(max)s.") % {"max": MAX_DAYS}
            return {"days": value["days"]}, ""
        return None, _("Enter either a date or a number of days.")
    return None, _("Unknown parameter type.")


def clean_params(schema: Mapping[str, str], params: Any) -> dict[str, Any]:
    """The parameters, checked against the schema and normalised. Raises DomainError naming the
    first wrong parameter (``field="params.<name>"``)."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise DomainError(_("Parameters must be an object."), field="params", code="invalid_params")
    unknown = sorted(str(k) for k in set(params) - set(schema))
    if unknown:
        raise DomainError(
            _("This duty takes no parameter “%(name)s”.") % {"name": unknown[0][:40]},
            field="params",
            code="invalid_params",
        )
    out: dict[str, Any] = {}
    for name, kind in schema.items():
        if name not in params:
            raise DomainError(
                _("%(label)s: enter a value.") % {"label": label_of(name, kind)},
                field=f"params.{name}",
                code="invalid_params",
            )
        value, error = _clean_one(kind, params[name])
        if error:
            raise DomainError(
                _("%(label)s: %(error)s") % {"label": label_of(name, kind), "error": error},
                field=f"params.{name}",
                code="invalid_params",
            )
        out[name] = value
    return out


# --- Rendering -----------------------------------------------------------------------------------------

WEEKDAY_NAMES = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
    "kk": ["дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі", "жексенбі"],
}
EVERY_DAY = {"en": "every day", "ru": "ежедневно", "kk": "күн сайын"}
PERIODS = {
    "en": {"week": "week", "month": "month"},
    "ru": {"week": "неделю", "month": "месяц"},
    "kk": {"week": "аптасына", "month": "айына"},
}


def _ru_days(n: int) -> str:
    """ "n days" after "в течение" (genitive: 1, 21, 31 … дня; the rest дней)."""
    return f"{n} {'дня' if n % 10 == 1 and n % 100 != 11 else 'дней'}"


def _dmy(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def render_value(kind: str, value: Any, language: str) -> str:
    """One parameter value as the legal text reads it in ``language`` (kk, ru or en)."""
    lang = language if language in LANGUAGES else "ru"
    if kind == TIME_RANGE:
        start, end = value["from"], value["to"]
        return {"en": f"from {start} to {end}", "ru": f"с {start} до {end}", "kk": f"{start} – {end} аралығында"}[lang]
    if kind == WEEKDAYS:
        days = sorted(value)
        if days == list(range(1, 8)):
            return EVERY_DAY[lang]
        names = ", ".join(WEEKDAY_NAMES[lang][d - 1] for d in days)
        return {"en": f"on {names}", "ru": f"в дни: {names}", "kk": f"{names} күндері"}[lang]
    if kind == TEXT_LIST:
        return "; ".join(value)
    if kind == ZONE:
        return str(value)
    if kind == POSITIVE_INT:
        return str(value)
    if kind == PERIOD:
        return PERIODS[lang].get(value, str(value))
    if kind == DATE_OR_DAYS:
        if "date" in value:
            day = _dmy(dt.date.fromisoformat(value["date"]))
            return {"en": f"by {day}", "ru": f"до {day}", "kk": f"{day} дейін"}[lang]
        n = int(value["days"])
        return {
            "en": f"within {n} day{'s' if n != 1 else ''} of the sentence taking effect",
            "ru": f"в течение {_ru_days(n)} со дня вступления приговора в законную силу",
            "kk": f"үкім заңды күшіне енген күннен бастап {n} күн ішінде",
        }[lang]
    return str(value)


def fill(text: str, schema: Mapping[str, str], params: Mapping[str, Any], language: str) -> str:
    """The text with each placeholder replaced by its rendered value (an unknown or missing one is
    left as it is, never an error: rendering must not fail on an old row)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in schema or name not in params:
            return match.group(0)
        try:
            return render_value(schema[name], params[name], language)
        except (KeyError, TypeError, ValueError):
            return match.group(0)

    return PLACEHOLDER.sub(one, text)

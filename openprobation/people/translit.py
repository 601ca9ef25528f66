"""Cyrillic (Kazakh and Russian) to Latin, as in Kazakhstan passports (ICAO Doc 9303 style)."""

from __future__ import annotations

_MAP = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

# After these a new part of the name starts and takes a capital in title style.
_PART_STARTS = frozenset(" -")


def _is_all_caps(text: str) -> bool:
    """Typed in capitals: at least two letters and none in lower case (a lone capital, such as an
    initial, is not a style)."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def _title_style(text: str) -> str:
    """Each part of the name (after a space or a hyphen) starts with a capital, the rest is lower
    case: Zhanar-Gul, Abdulla Uly."""
    out: list[str] = []
    starts_part = True
    for ch in text.lower():
        if ch.isalpha():
            out.append(ch.upper() if starts_part else ch)
            starts_part = False
        else:
            out.append(ch)
            starts_part = starts_part or ch in _PART_STARTS
    return "".join(out)


def to_latin(text: str) -> str:
    """The Latin form of a Cyrillic name, in the case style it was typed in: ЖАНАР → ZHANAR,
    ЖАНАР-ГҮЛ → ZHANAR-GUL; anything else comes out in title style (Жанар, жанар and жАНАР →
    Zhanar). Letter by letter the case of ``Ж`` cannot decide between ZH and Zh, so the style is
    read from the whole name."""
    latin = "".join(_MAP.get(ch, ch) for ch in text.lower())
    return latin.upper() if _is_all_caps(text) else _title_style(latin)


def is_cyrillic_name(text: str) -> bool:
    allowed = set(_MAP) | {" ", "-", "'"}
    return bool(text.strip()) and all(ch.lower() in allowed for ch in text.strip())

"""Cyrillic (Kazakh and Russian) to Latin, as in Kazakhstan passports (ICAO Doc 9303 style)."""

from __future__ import annotations

_MAP = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip


def to_latin(text: str) -> str:
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if low in _MAP:
            lat = _MAP[low]
            out.append(lat.upper() if ch.isupper() and len(lat) == 1 else (lat.capitalize() if ch.isupper() else lat))
        else:
            out.append(ch)
    return "".join(out)


def is_cyrillic_name(text: str) -> bool:
    allowed = set(_MAP) | {" ", "-", "'"}
    return bool(text.strip()) and all(ch.lower() in allowed for ch in text.strip())

"""Alphabets of names: Cyrillic (Kazakh and Russian) to Latin as in Kazakhstan passports (ICAO
Doc 9303 style), which alphabet a name is written in, and Latin letters without their accents."""

from __future__ import annotations

import enum
import unicodedata

_MAP = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

# What may stand between the parts of a name: a space, a hyphen, an apostrophe (typed, typographic,
# or the Uzbek Latin ʻ and ʼ, as in Oʻtkir).
NAME_SEPARATORS = frozenset(" -'\u2019\u02bb\u02bc")
# After these a new part of the name starts and takes a capital in title style.
_PART_STARTS = frozenset(" -")

# Latin letters that have no accent to strip but are read as plain letters when searching.
_LATIN_PLAIN = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
        "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "TH",
    }
)  # fmt: skip


class NameScript(enum.Enum):
    CYRILLIC = "cyrillic"
    LATIN = "latin"
    MIXED = "mixed"  # Cyrillic and Latin letters in one name, e.g. a Cyrillic "о" in "Jоhn"
    INVALID = "invalid"  # digits, other alphabets, punctuation, or no letter at all


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN ")


def name_script(text: str) -> NameScript:
    """The alphabet a name is written in. Cyrillic means the Kazakh and Russian letters (the ones
    ``to_latin`` knows); Latin means any Latin letter, accented ones included (Müller, Łukasz,
    Şahin). Parts may be separated by spaces, hyphens and apostrophes."""
    scripts: set[NameScript] = set()
    for ch in text.strip():
        if ch in NAME_SEPARATORS:
            continue
        if ch.lower() in _MAP:
            scripts.add(NameScript.CYRILLIC)
        elif _is_latin_letter(ch):
            scripts.add(NameScript.LATIN)
        else:
            return NameScript.INVALID
    if not scripts:
        return NameScript.INVALID
    return scripts.pop() if len(scripts) == 1 else NameScript.MIXED


def is_cyrillic_name(text: str) -> bool:
    return name_script(text) is NameScript.CYRILLIC


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


def plain_latin(text: str) -> str:
    """Latin letters without their accents (Müller → Muller, Łukasz → Lukasz, ß → ss), for
    matching names as people type them. Other alphabets are left alone: Cyrillic й is not и."""
    out: list[str] = []
    for ch in text:
        if _is_latin_letter(ch) and not ch.isascii():
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base.translate(_LATIN_PLAIN))
        else:
            out.append(ch)
    return "".join(out)


# Kazakh letters typed on a Russian keyboard: the nearest Russian letter. Lower case only (the
# text is lower-cased first, which also folds Ә, Ғ, Қ, ... and Ё). Ё reads as Е the same way, as
# Russian writing commonly drops its dots (Семён is often typed Семен).
_KAZAKH_TO_RUSSIAN_KEYBOARD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)


def search_fold(text: str) -> str:
    """The one form in which names are indexed, searched and matched as near-duplicates: lower
    case, Kazakh letters folded to their Russian-keyboard counterparts (ә→а, ғ→г, қ→к, ң→н, ө→о,
    ұ→у, ү→у, һ→х, і→и; and ё→е), Latin letters without accents (Müller → muller). So
    "бекмухан" finds "Бекмұхан", and "Бекмуханов" typed on a Russian keyboard is the same name as
    "Бекмұханов". Text is NFC-normalised first so a letter typed as base + combining mark (и + ̆)
    matches the precomposed one."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    return plain_latin(text.translate(_KAZAKH_TO_RUSSIAN_KEYBOARD))

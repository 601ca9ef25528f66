"""Reading numbers typed by people: only the ASCII digits 0–9 are digits here.

``str.isdigit`` is true for superscripts (²), Arabic-Indic (٣) and full-width (３) digits; an IIN
or an id written with them would compare unequal to the same number in ASCII (a duplicate slips
through) or fail to convert (a 500). Every check of typed digits goes through this.
"""

from __future__ import annotations

import unicodedata


def is_ascii_number(value: str) -> bool:
    """True for a non-empty string of the digits 0–9 only."""
    return bool(value) and value.isascii() and value.isdigit()


def typed_digits(value: str) -> str:
    """A number as a person typed it, read as ASCII digits: spaces (also non-breaking and thin
    ones) dropped, and decimal digits of other scripts (Arabic-Indic ٣, full-width ３) read as
    0–9 — for forms, where "900517 3 00077" is an IIN. Anything else (superscripts ², letters) is
    left as it is, for the check to refuse."""
    out: list[str] = []
    for ch in value:
        if ch.isspace():
            continue
        out.append(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch)
    return "".join(out)

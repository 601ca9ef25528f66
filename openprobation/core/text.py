"""Reading numbers typed by people: only the ASCII digits 0–9 are digits here.

``str.isdigit`` is true for superscripts (²), Arabic-Indic (٣) and full-width (３) digits; an IIN
or an id written with them would compare unequal to the same number in ASCII (a duplicate slips
through) or fail to convert (a 500). Every check of typed digits goes through this.
"""

from __future__ import annotations


def is_ascii_number(value: str) -> bool:
    """True for a non-empty string of the digits 0–9 only."""
    return bool(value) and value.isascii() and value.isdigit()

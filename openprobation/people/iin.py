"""The Kazakhstan individual identification number (IIN): 12 digits.

Digits 1–6: birth date YYMMDD. Digit 7: century and sex (1/2: 1800s male/female, 3/4: 1900s,
5/6: 2000s). Digits 8–11: serial. Digit 12: check digit — the sum of digits 1–11 weighted 1..11,
modulo 11; if that is 10, weights 3,4,5,6,7,8,9,10,11,1,2; if it is 10 again the number is invalid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from openprobation.core.exceptions import DomainError
from openprobation.core.text import is_ascii_number

WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class IinError(DomainError):
    """``part`` names what is wrong: format, date, century, check_digit, birth_date, sex."""

    def __init__(self, message: object, *, part: str):
        super().__init__(message, field="iin", code=f"iin_{part}")  # type: ignore[arg-type]
        self.part = part


@dataclass(frozen=True)
class IinInfo:
    iin: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def masked_iin(iin: str | None) -> str:
    """The IIN with all but its last four digits hidden, for pages that need to tell two people apart
    without showing the number (the monitoring console); empty when there is none."""
    return f"••••••••{iin[-4:]}" if iin else ""


def check_digit(first11: str) -> int | None:
    digits = [int(c) for c in first11]
    total = sum(d * w for d, w in zip(digits, WEIGHTS_1, strict=True)) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, WEIGHTS_2, strict=True)) % 11
        if total == 10:
            return None
    return total


def parse_iin(iin: str) -> IinInfo:
    """Validate an IIN and return the birth date and sex it encodes."""
    value = (iin or "").strip()
    if len(value) != 12 or not is_ascii_number(value):
        raise IinError(_("The IIN must be exactly 12 digits 0–9."), part="format")
    code = int(value[6])
    if code not in CENTURY:
        raise IinError(
            _("The 7th digit of the IIN (century and sex) must be 1 to 6; it is %(digit)s.") % {"digit": code},
            part="century",
        )
    year = CENTURY[code] + int(value[0:2])
    try:
        birth = dt.date(year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise IinError(
            _("The first six digits of the IIN (%(digits)s) are not a valid date of birth.") % {"digits": value[:6]},
            part="date",
        ) from None
    expected = check_digit(value[:11])
    if expected is None:
        raise IinError(_("This IIN cannot have a valid check digit; the number is invalid."), part="check_digit")
    if expected != int(value[11]):
        raise IinError(
            _("The last digit of the IIN is a check digit and does not match: the number has a typo."),
            part="check_digit",
        )
    return IinInfo(iin=value, birth_date=birth, sex="M" if code % 2 == 1 else "F")


def validate_iin_against(iin: str, *, birth_date: dt.date | None, sex: str | None) -> IinInfo:
    """Validate an IIN and that it agrees with the birth date and sex entered for the person."""
    info = parse_iin(iin)
    if birth_date is not None and info.birth_date != birth_date:
        raise IinError(
            _("The IIN encodes the date of birth %(iin_date)s but %(entered)s was entered.")
            % {"iin_date": info.birth_date.strftime("%d.%m.%Y"), "entered": birth_date.strftime("%d.%m.%Y")},
            part="birth_date",
        )
    if sex and info.sex != sex:
        raise IinError(
            _("The 7th digit of the IIN encodes a %(iin_sex)s, but the sex entered is %(entered)s.")
            % {
                "iin_sex": _("man") if info.sex == "M" else _("woman"),
                "entered": _("male") if sex == "M" else _("female"),
            },
            part="sex",
        )
    return info


def make_iin(birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a valid IIN (for demo data and tests); distinct serials (mod 5,000) give distinct IINs.

    Serial n uses the 4-digit serial 2n, or 2n + 1 when 2n has no check digit. The 11th digit has
    weight 11 in the first sum (no change mod 11) and 2 in the second, so 2n + 1 always has one,
    and the pairs {2n, 2n + 1} never overlap.
    """
    century_base = (birth_date.year // 100) * 100
    code = {1800: 1, 1900: 3, 2000: 5}[century_base] + (0 if sex == "M" else 1)
    prefix = f"{birth_date:%y%m%d}{code}"
    even = 2 * (serial % 5000)
    for candidate in (even, even + 1):
        first11 = f"{prefix}{candidate:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return first11 + str(digit)
    raise AssertionError("unreachable: an odd serial always has a check digit")  # pragma: no cover

"""Time helpers. Kazakhstan is one time zone (Asia/Almaty, UTC+5 since 1 March 2024).

The database holds aware UTC datetimes; local dates are computed only at the edges.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

KZ_TZ = ZoneInfo("Asia/Almaty")


def local_today() -> dt.date:
    return timezone.now().astimezone(KZ_TZ).date()


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Full years of age on a date (a person born on 29 February ages on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def validate_time_zone(value: str) -> None:
    """An IANA time zone name the system knows (``Asia/Almaty``), else a translated validation error."""
    try:
        if not value or value != value.strip() or "\x00" in value:
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(
            _("“%(value)s” is not a known time zone (use an IANA name such as Asia/Almaty).") % {"value": value},
            code="invalid_time_zone",
        ) from None

"""Forms of the supervision pages (validation of input only; the services decide)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import DateInput, ReasonField, UswdsForm, date_field
from openprobation.core.timeutil import KZ_TZ
from openprobation.supervision.models import (
    RECORDABLE_OUTCOMES,
    WEEKDAY_NAMES,
    AbsenceReason,
    AppointmentKind,
    Outcome,
    Pattern,
    RescheduledBy,
)
from openprobation.supervision.rules import Frequency
from openprobation.supervision.services import OutcomeInput, ScheduleInput

WEEKDAYS = list(enumerate(WEEKDAY_NAMES))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs=attrs, format="%H:%M")


def local_datetime(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time, tzinfo=KZ_TZ)


class OutcomeForm(UswdsForm):
    """The outcome of one appointment: a radio group, the most common first; the fields a reason
    needs are shown only for it (the page's script hides the others; without it all are shown)."""

    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    reason_code = forms.ChoiceField(
        label=_("Reason for the absence"), choices=AbsenceReason.choices, widget=forms.RadioSelect, required=False
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        help_text=_("For illness: the medical certificate's number and date."),
        max_length=500,
        required=False,
    )
    rescheduled_by = forms.ChoiceField(
        label=_("Rescheduled by"), choices=RescheduledBy.choices, widget=forms.RadioSelect, required=False
    )
    rescheduled_on = date_field(_("New date"))
    rescheduled_at = forms.TimeField(label=_("New time"), required=False, widget=TimeInput())
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction_reason = ReasonField(label=_("Reason for the correction"), required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, held: bool = True, correcting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(o.value, o.label) for o in RECORDABLE_OUTCOMES]
        if correcting:
            choices = [c for c in choices if c[0] != Outcome.RESCHEDULED]
        elif not held:
            # Before it takes place, an appointment can only be moved.
            choices = [c for c in choices if c[0] == Outcome.RESCHEDULED]
        self.fields["outcome"].choices = choices  # type: ignore[attr-defined]
        if correcting:
            for name in ("rescheduled_by", "rescheduled_on", "rescheduled_at"):
                del self.fields[name]
            self.fields["correction_reason"].required = True
        else:
            del self.fields["correction_reason"]

    def outcome_input(self) -> OutcomeInput:
        cd = self.cleaned_data
        return OutcomeInput(
            outcome=cd["outcome"],
            reason_code=cd.get("reason_code") or "",
            note=cd.get("note") or "",
            evidence=cd.get("evidence") or "",
            rescheduled_by=cd.get("rescheduled_by") or "",
            rescheduled_to=local_datetime(cd.get("rescheduled_on"), cd.get("rescheduled_at")),
        )


class ScheduleForm(UswdsForm):
    pattern = forms.ChoiceField(label=_("How often"), choices=Pattern.choices, widget=forms.RadioSelect)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    interval_weeks = forms.IntegerField(
        label=_("Every so many weeks"), min_value=1, max_value=52, required=False, initial=2
    )
    month_days = forms.CharField(
        label=_("Days of the month"),
        help_text=_("Numbers 1 to 31, separated by commas, e.g. 1, 15."),
        max_length=100,
        required=False,
    )
    time_of_day = forms.TimeField(label=_("Time"), widget=TimeInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    valid_from = date_field(_("From"), required=True)
    valid_until = date_field(_("Until"), help_text=_("Leave empty: until probation control ends."))
    reason = ReasonField(
        label=_("Reason for the change"),
        required=False,
        help_text=_("Needed when the frequency differs from the rulebook's default."),
    )

    def clean_month_days(self) -> list[int]:
        text = (self.cleaned_data.get("month_days") or "").replace(";", ",")
        days: list[int] = []
        for raw in text.split(","):
            part = raw.strip()
            if not part:
                continue
            if not part.isascii() or not part.isdigit() or not 1 <= int(part) <= 31:
                raise forms.ValidationError(_("Enter days of the month from 1 to 31, separated by commas."))
            days.append(int(part))
        return days

    def schedule_input(self) -> ScheduleInput:
        cd = self.cleaned_data
        freq = Frequency(
            pattern=cd["pattern"],
            weekdays=tuple(cd.get("weekdays") or ()),
            month_days=tuple(cd.get("month_days") or ()),
            interval_weeks=cd.get("interval_weeks") or 1,
        )
        return ScheduleInput(
            frequency=freq,
            time_of_day=cd["time_of_day"],
            valid_from=cd["valid_from"],
            valid_until=cd.get("valid_until"),
            kind=cd["kind"],
            place=cd.get("place") or "",
            reason=cd.get("reason") or "",
        )


class AppointmentForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], tzinfo=KZ_TZ)

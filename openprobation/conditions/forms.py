"""Forms of the duty pages: the add form is built from the chosen duty's parameter schema."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.cases.models import Case, CourtDecision, DecisionKind
from openprobation.conditions.models import ConditionDefinition
from openprobation.conditions.params import (
    DATE_OR_DAYS,
    MAX_DAYS,
    MAX_INT,
    MAX_TEXT,
    PERIOD,
    POSITIVE_INT,
    TEXT_LIST,
    TIME_RANGE,
    WEEKDAY_NAMES,
    WEEKDAYS,
    ZONE,
    label_of,
)
from openprobation.core.exceptions import DomainError
from openprobation.core.forms import ReasonField, UswdsForm, date_field, style_fields

ORIGINAL = "original"


class TimeInput(forms.TextInput):
    input_type = "time"


def _dmy(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else "—"


def original_decision_label(case: Case) -> str:
    return str(
        _("The sentence: %(court)s, No. %(number)s of %(date)s")
        % {"court": case.court or "—", "number": case.decision_number or "—", "date": _dmy(case.decision_date)}
    )


def decision_label(decision: CourtDecision) -> str:
    return str(
        _("%(kind)s: %(court)s, No. %(number)s of %(date)s, in force from %(effective)s")
        % {
            "kind": decision.get_kind_display(),
            "court": decision.court,
            "number": decision.number,
            "date": _dmy(decision.decision_date),
            "effective": _dmy(decision.effective_date),
        }
    )


def _param_fields(name: str, kind: str, language: str) -> dict[str, forms.Field]:
    label = label_of(name, kind)
    key = f"p_{name}"
    if kind == TIME_RANGE:
        return {
            f"{key}_from": forms.CharField(
                label=_("%(label)s: from (HH:MM)") % {"label": label}, max_length=5, widget=TimeInput()
            ),
            f"{key}_to": forms.CharField(
                label=_("%(label)s: until (HH:MM)") % {"label": label}, max_length=5, widget=TimeInput()
            ),
        }
    if kind == WEEKDAYS:
        names = WEEKDAY_NAMES.get(language, WEEKDAY_NAMES["ru"])
        return {
            key: forms.MultipleChoiceField(
                label=label,
                choices=[(str(i + 1), day) for i, day in enumerate(names)],
                widget=forms.CheckboxSelectMultiple,
            )
        }
    if kind == TEXT_LIST:
        return {
            key: forms.CharField(
                label=label,
                max_length=20 * (MAX_TEXT + 2),
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("One per line, as the decision words it."),
            )
        }
    if kind == ZONE:
        return {
            key: forms.CharField(
                label=label,
                max_length=MAX_TEXT,
                help_text=_("As the decision names it, for example a city or district."),
            )
        }
    if kind == POSITIVE_INT:
        return {key: forms.IntegerField(label=label, min_value=1, max_value=MAX_INT)}
    if kind == PERIOD:
        return {key: forms.ChoiceField(label=label, choices=[("week", _("a week")), ("month", _("a month"))])}
    if kind == DATE_OR_DAYS:
        return {
            f"{key}_date": date_field(
                _("%(label)s: by date") % {"label": label}, help_text=_("Either a date or a number of days.")
            ),
            f"{key}_days": forms.IntegerField(
                label=_("%(label)s: days from the sentence taking effect") % {"label": label},
                required=False,
                min_value=1,
                max_value=MAX_DAYS,
            ),
        }
    return {}


class ConditionAddForm(UswdsForm):
    """Step one chooses the duty (``code``); step two shows its parameters (``p_*``)."""

    code = forms.ChoiceField(label=_("Duty"))
    decision = forms.ChoiceField(label=_("Court decision"))
    in_force_from = date_field(_("In force from"), required=True)

    def __init__(
        self,
        *args: Any,
        case: Case,
        catalogue: list[ConditionDefinition],
        definition: ConditionDefinition | None,
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.definition = case, definition
        codes = [("", "—")] + [(d.code, d.name_in(language)) for d in catalogue]
        cast(forms.ChoiceField, self.fields["code"]).choices = codes
        self.decisions = {str(d.pk): d for d in case.decisions.all() if d.kind == DecisionKind.DUTIES_CHANGED}
        cast(forms.ChoiceField, self.fields["decision"]).choices = [(ORIGINAL, original_decision_label(case))] + [
            (pk, decision_label(d)) for pk, d in self.decisions.items()
        ]
        self.param_names: dict[str, list[str]] = {}
        if definition is not None:
            for name, kind in (definition.params_schema or {}).items():
                fields = _param_fields(name, kind, language)
                self.param_names[name] = list(fields)
                self.fields.update(fields)
        style_fields(self)

    def chosen_decision(self) -> CourtDecision | None:
        return self.decisions.get(self.cleaned_data.get("decision") or "")

    def params(self) -> dict[str, Any]:
        """The typed inputs as the service takes them (it validates them)."""
        out: dict[str, Any] = {}
        data = self.cleaned_data
        for name, kind in (self.definition.params_schema or {}).items() if self.definition else []:
            key = f"p_{name}"
            if kind == TIME_RANGE:
                out[name] = {"from": data.get(f"{key}_from") or "", "to": data.get(f"{key}_to") or ""}
            elif kind == WEEKDAYS:
                out[name] = [int(d) for d in data.get(key) or []]
            elif kind == TEXT_LIST:
                out[name] = [line.strip() for line in (data.get(key) or "").splitlines() if line.strip()]
            elif kind == DATE_OR_DAYS:
                day, days = data.get(f"{key}_date"), data.get(f"{key}_days")
                if day and days:
                    out[name] = {"date": day.isoformat(), "days": days}
                elif day:
                    out[name] = {"date": day.isoformat()}
                elif days:
                    out[name] = {"days": days}
                else:
                    out[name] = {}
            else:
                out[name] = data.get(key)
        return out

    def apply_error(self, error: DomainError) -> None:
        """A service refusal next to the field it names (``params.times`` → the hours fields)."""
        target = error.field or ""
        if target.startswith("params."):
            names = self.param_names.get(target.removeprefix("params."), [])
            if names:
                self.add_error(names[0], str(error.message))
                return
        if target in self.fields:
            self.add_error(target, str(error.message))
        else:
            self.add_error(None, str(error.message))


class ConditionEndForm(UswdsForm):
    decision = forms.ChoiceField(label=_("Court decision that ends the duty"))
    ended_on = date_field(_("No longer applies from"), required=True)
    reason = ReasonField()

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.decisions = {str(d.pk): d for d in case.decisions.all()}
        choices = [("", "—")] + [(pk, decision_label(d)) for pk, d in self.decisions.items()]
        cast(forms.ChoiceField, self.fields["decision"]).choices = choices

    def chosen_decision(self) -> CourtDecision | None:
        return self.decisions.get(self.cleaned_data.get("decision") or "")

"""Forms of assessments: one built from an instrument's items (so a new version needs no code),
the override and the countersignature."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.assessments.instrument import InstrumentSpec, pick
from openprobation.core.forms import UswdsForm, date_field

RADIO_MAX = 6  # more options than this read better as a list


class AssessmentForm(UswdsForm):
    """The instrument's items by section, pre-filled with what the case file says."""

    def __init__(self, *args: Any, spec: InstrumentSpec, prefilled: dict[str, Any], **kwargs: Any) -> None:
        self.spec = spec
        self.prefilled = prefilled
        super().__init__(*args, initial={**prefilled, **kwargs.pop("initial", {})}, **kwargs)
        for section in spec.sections:
            for code in section.items:
                item = spec.item(code)
                help_parts = [pick(item.help)] if item.help else []
                if code in prefilled:
                    help_parts.append(_("Filled from the case file; check it."))
                help_text = " ".join(help_parts)
                field: forms.Field
                if item.type == "number":
                    field = (
                        forms.IntegerField(
                            label=pick(item.title),
                            required=item.required,
                            min_value=int(item.minimum) if item.minimum is not None else None,
                            max_value=int(item.maximum) if item.maximum is not None else None,
                            help_text=help_text,
                            # Text with a numeric keyboard, not type=number: Chromium silently drops
                            # what is not a digit ("3,5" is sent as 35, "4o" as 4) or sends nothing
                            # ("1e": "required"); as text, a typo comes back with its own error.
                            widget=forms.TextInput(
                                attrs={"inputmode": "numeric", "autocomplete": "off", "class": "usa-input--small"}
                            ),
                        )
                        if item.integer
                        else forms.FloatField(label=pick(item.title), required=item.required, help_text=help_text)
                    )
                elif item.type == "choice":
                    choices = [(o.code, pick(o.label)) for o in item.options]
                    if len(choices) <= RADIO_MAX:
                        field = forms.ChoiceField(
                            label=pick(item.title),
                            required=item.required,
                            choices=choices,
                            widget=forms.RadioSelect,
                            help_text=help_text,
                        )
                    else:
                        field = forms.ChoiceField(
                            label=pick(item.title),
                            required=item.required,
                            choices=[("", "—"), *choices],
                            help_text=help_text,
                        )
                else:
                    field = forms.CharField(
                        label=pick(item.title),
                        required=item.required,
                        max_length=2000,
                        widget=forms.Textarea(attrs={"rows": 2}),
                        help_text=help_text,
                    )
                self.fields[code] = field
        self.fields["assessed_on"] = date_field(
            gettext_lazy("Assessed on"), help_text=gettext_lazy("Today when left empty.")
        )
        self.fields["note"] = forms.CharField(
            label=gettext_lazy("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
        )
        from openprobation.core.forms import style_fields  # noqa: PLC0415

        style_fields(self)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(pick(s.title), [self[c] for c in s.items]) for s in self.spec.sections]

    def answers(self) -> dict[str, Any]:
        return {c: self.cleaned_data.get(c) for c in self.spec.item_codes if self.cleaned_data.get(c) not in (None, "")}


class OverrideForm(UswdsForm):
    level = forms.ChoiceField(label=gettext_lazy("Level to apply"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Why the assessed level does not fit"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The head of the office reads this before countersigning."),
    )

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels  # type: ignore[attr-defined]


class DecisionForm(UswdsForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("approve", gettext_lazy("Countersign: apply the proposed level")),
            ("refuse", gettext_lazy("Refuse: keep the assessed level")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when refusing."),
    )


class AnalysisForm(UswdsForm):
    """Upload a file and say what to do with it; the fields of the other kind are ignored."""

    kind = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        widget=forms.RadioSelect,
        choices=[
            ("validate", gettext_lazy("Validate an instrument: a score column against an outcome column")),
            ("assess", gettext_lazy("Score every row with an instrument")),
        ],
        initial="validate",
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "One row per person; comma, semicolon or tab; UTF-8 or Windows-1251. Kept privately for you only and deleted after the retention period."
        ),
    )
    score = forms.CharField(label=gettext_lazy("Score column"), required=False, max_length=200)
    outcome = forms.CharField(
        label=gettext_lazy("Outcome column (1/0, yes/no, да/нет, иә/жоқ)"), required=False, max_length=200
    )
    group = forms.CharField(label=gettext_lazy("Group column (fairness), optional"), required=False, max_length=200)
    thresholds = forms.CharField(
        label=gettext_lazy("Thresholds, one per line"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    filters = forms.CharField(
        label=gettext_lazy("Filters, one per line (COLUMN OP VALUE)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    instrument = forms.ChoiceField(label=gettext_lazy("Instrument"), required=False)
    mappings = forms.CharField(
        label=gettext_lazy("Column of each item, one per line (item=column)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "E.g. age=age(birth_date,assessed_on), sex=sex:Male->M,Female->F. An item whose column has its own name needs none."
        ),
    )

    def __init__(self, *args: Any, instruments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [("", "—"), *instruments]  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data.get(k)
            for k in ("score", "outcome", "group", "thresholds", "filters", "instrument", "mappings")
        }

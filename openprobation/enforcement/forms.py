from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.enforcement.models import (
    CourtResult,
    RequestedOutcome,
    Step,
    Violation,
    ViolationKind,
    ViolationSource,
    ViolationStatus,
)
from openprobation.enforcement.services import StepInput

CHOOSE = ("", _("— choose —"))


class ViolationForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Kind of violation"), choices=[CHOOSE, *ViolationKind.choices])
    source = forms.ChoiceField(
        label=_("Source"), choices=[CHOOSE, *ViolationSource.choices], initial=ViolationSource.OFFICER
    )
    source_ref = forms.CharField(
        label=_("Source reference"),
        max_length=100,
        required=False,
        help_text=_("The number of the police report or alert, if there is one."),
    )
    occurred_on = date_field(_("Occurred on"), required=True)
    description = forms.CharField(label=_("What happened"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(
        label=_("Evidence"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    malicious = forms.BooleanField(label=_("Malicious violation"), required=False)


class ViolationDecisionForm(UswdsForm):
    to_status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            CHOOSE,
            (ViolationStatus.CONFIRMED, _("Confirm the violation")),
            (ViolationStatus.DISMISSED, _("Dismiss it")),
        ],
    )
    malicious = forms.BooleanField(label=_("Malicious violation"), required=False)
    reason = ReasonField()


class ExplanationForm(UswdsForm):
    explanation = forms.CharField(
        label=_("The person's explanation"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    received_on = date_field(_("Received on"), required=True)


class StepForm(UswdsForm):
    """One step of the ladder: the violations it answers, its date, document and reason; for a
    submission the outcome asked for; for the court's outcome the result and the decision."""

    violations = forms.TypedMultipleChoiceField(
        label=_("Violations answered"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    requested_outcome = forms.ChoiceField(label=_("Ask the court to"), required=False)
    result = forms.ChoiceField(label=_("The court's result"), required=False, choices=[CHOOSE, *CourtResult.choices])
    court = forms.CharField(label=_("Court"), max_length=300, required=False)
    decision_number = forms.CharField(label=_("Decision number"), max_length=64, required=False)
    decision_date = date_field(_("Decision date"))
    effective_date = date_field(_("In force from"), help_text=_("Leave empty if the same as the decision date."))
    extension_months = forms.IntegerField(label=_("Extended by, months"), required=False, min_value=1, max_value=120)
    new_term_months = forms.IntegerField(
        label=_("Term of imprisonment, months"), required=False, min_value=1, max_value=600
    )
    taken_on = date_field(_("Date"), required=True)
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)
    reason = ReasonField()

    STEP_FIELDS: dict[str, tuple[str, ...]] = {
        Step.WARNING: ("violations", "taken_on", "document_number", "reason"),
        Step.WRITTEN_WARNING: ("violations", "taken_on", "document_number", "reason"),
        Step.SUBMISSION: ("violations", "requested_outcome", "taken_on", "document_number", "reason"),
        Step.COURT_OUTCOME: (
            "result",
            "court",
            "decision_number",
            "decision_date",
            "effective_date",
            "extension_months",
            "new_term_months",
            "taken_on",
            "reason",
        ),
    }

    def __init__(
        self,
        *args: Any,
        step: str,
        violations: list[Violation],
        outcomes: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        for name in list(self.fields):
            if name not in self.STEP_FIELDS[step]:
                del self.fields[name]
        if "violations" in self.fields:
            field = cast(forms.TypedMultipleChoiceField, self.fields["violations"])
            field.choices = [
                (
                    v.pk,
                    f"{v.occurred_on.strftime('%d.%m.%Y')} — {v.get_kind_display()}"
                    + (f" ({_('malicious')})" if v.malicious else ""),
                )
                for v in violations
            ]
        if "requested_outcome" in self.fields:
            labels = dict(RequestedOutcome.choices)
            field2 = cast(forms.ChoiceField, self.fields["requested_outcome"])
            field2.choices = [CHOOSE, *[(o, labels[o]) for o in outcomes or []]]

    def step_input(self) -> StepInput:
        data = self.cleaned_data
        return StepInput(
            step=self.step,
            violations=list(data.get("violations") or []),
            taken_on=data.get("taken_on"),
            reason=data.get("reason") or "",
            document_number=data.get("document_number") or "",
            requested_outcome=data.get("requested_outcome") or "",
            result=data.get("result") or "",
            court=data.get("court") or "",
            decision_number=data.get("decision_number") or "",
            decision_date=data.get("decision_date"),
            effective_date=data.get("effective_date"),
            extension_months=data.get("extension_months"),
            new_term_months=data.get("new_term_months"),
        )


class StatusForm(UswdsForm):
    """Declaring the person wanted, or found."""

    reason = ReasonField()
    effective_on = date_field(_("Effective date"), help_text=_("Leave empty for today."))


class TaskDoneForm(UswdsForm):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)
    cancel = forms.BooleanField(label=_("Cancel the task instead (say why in the note)"), required=False)

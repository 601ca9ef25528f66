"""The forms of the console and an alert's page (the services check everything again)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import UswdsForm
from openprobation.monitoring.alerting import AlertResolution, CallOutcome, CallParty
from openprobation.monitoring.catalogue import Rule, Severity


class QueueFilterForm(UswdsForm):
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)
    rule = forms.ChoiceField(label=_("Rule"), required=False)

    def __init__(self, *args: Any, regions: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything: list[tuple[Any, Any]] = [("", _("All"))]
        self.fields["severity"].choices = everything + list(Severity.choices)  # type: ignore[attr-defined]
        self.fields["region"].choices = everything + list(regions)  # type: ignore[attr-defined]
        self.fields["rule"].choices = everything + list(Rule.choices)  # type: ignore[attr-defined]


class AcknowledgeForm(UswdsForm):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


class ResolveForm(UswdsForm):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=AlertResolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("What was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(UswdsForm):
    reason = forms.CharField(
        label=_("Why the officer must act"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CallForm(UswdsForm):
    party = forms.ChoiceField(label=_("Whom you called"), choices=CallParty.choices, widget=forms.RadioSelect)
    number = forms.CharField(label=_("Number called"), max_length=40)
    name = forms.CharField(label=_("Name of who answered (optional)"), required=False, max_length=200)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CallOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

"""Forms of the labour pages (the services check the rules; the forms only shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.labour.models import DutyStatus, OfferAnswer, ReferralKind


class HoursForm(UswdsForm):
    worked_on = date_field(_("Day worked"), required=True)
    # Text, not a number field: the service reads it (a comma as decimal separator is accepted) and
    # says clearly what is wrong with "1e9" or Unicode digits.
    hours = forms.CharField(label=_("Hours"), max_length=16, help_text=_("For example 4 or 3.5"))
    organisation = forms.CharField(
        label=_("Organising body"), max_length=300, help_text=_("The akimat's body that organised the work")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class EmploymentForm(UswdsForm):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("— choose —")), *DutyStatus.choices])
    on = date_field(_("Since"), required=True)
    employer = forms.CharField(label=_("Employer or place of study"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReferralForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Referred to"), choices=[("", _("— choose —")), *ReferralKind.choices])
    organisation = forms.CharField(label=_("Organisation"), max_length=300)
    issued_on = date_field(_("Issued on"), required=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OfferForm(UswdsForm):
    employer = forms.CharField(label=_("Employer"), max_length=300)
    position = forms.CharField(label=_("Position"), max_length=300)
    offered_on = date_field(_("Offered on"), required=True)
    referral = forms.TypedChoiceField(label=_("After the referral"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, referrals: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("— none —"))]
        choices += [(r.pk, str(r)) for r in referrals or []]
        self.fields["referral"].choices = choices  # type: ignore[attr-defined]


class AnswerForm(UswdsForm):
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[("", _("— choose —")), *[c for c in OfferAnswer.choices if c[0]]],
    )
    answered_on = date_field(_("Answered on"), required=True)
    reason = ReasonField(required=False, help_text=_("Required when the person refused with a good reason"))


class RejudgeForm(UswdsForm):
    reason = ReasonField(help_text=_("What changed: for example, the person started permanent work"))

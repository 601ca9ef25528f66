"""Forms of the employment pages (the services check the rules; the forms only shape the input).
Numbers are typed as text: the services read them and say clearly what is wrong with "١٢" or "1e3"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.employment.models import EndReason, VacancyStatus
from openprobation.people.models import Employment

NONE = [("", _("— choose —"))]


def _choices(rows: Iterable[Any], *, empty: Any = None) -> list[tuple[Any, Any]]:
    return [("", empty or _("— choose —")), *[(r.pk, str(r)) for r in rows]]


class _WithChoices(UswdsForm):
    """A form whose select fields list the records the page offers (``choices`` by field name)."""

    def __init__(self, *args: Any, choices: dict[str, list[tuple[Any, Any]]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, options in (choices or {}).items():
            self.fields[name].choices = options  # type: ignore[attr-defined]


class QuotaForm(_WithChoices):
    employer = forms.ChoiceField(label=_("Employer"), choices=NONE)
    year = forms.CharField(label=_("Year"), max_length=8)
    places = forms.CharField(label=_("Places"), max_length=8, help_text=_("As the akimat's decision approved them"))
    decision_number = forms.CharField(label=_("Akimat decision number"), max_length=100)
    decision_date = date_field(_("Akimat decision date"), required=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class VacancyForm(_WithChoices):
    employer = forms.ChoiceField(label=_("Employer"), choices=NONE)
    title = forms.CharField(label=_("Position"), max_length=300)
    places = forms.CharField(label=_("Places"), max_length=8, initial="1")
    wage = forms.CharField(label=_("Monthly wage, tenge"), max_length=20, required=False)
    requirements = forms.CharField(
        label=_("Requirements"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    opened_on = date_field(_("Opened on"), required=True)
    counts_toward_quota = forms.BooleanField(label=_("Counts toward the employer's quota"), required=False)


class VacancyCloseForm(UswdsForm):
    status = forms.ChoiceField(
        label=_("How the vacancy ends"),
        choices=[c for c in VacancyStatus.choices if c[0] != VacancyStatus.OPEN],
        widget=forms.RadioSelect,
    )
    on = date_field(_("On"), required=True)
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ReferralForm(_WithChoices):
    centre = forms.ChoiceField(label=_("Employment centre"), choices=NONE)
    vacancy = forms.ChoiceField(label=_("Vacancy"), choices=NONE, required=False)
    employer = forms.ChoiceField(
        label=_("Employer"), choices=NONE, required=False, help_text=_("When the referral is not to a vacancy")
    )
    number = forms.CharField(label=_("Referral number"), max_length=50, required=False)
    issued_on = date_field(_("Issued on"), required=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ReferralExpireForm(UswdsForm):
    on = date_field(_("Lapsed on"), required=True)
    reason = forms.CharField(label=_("Note"), required=False, max_length=2000)


class PlacementForm(_WithChoices):
    referral = forms.ChoiceField(label=_("After the referral"), choices=NONE, required=False)
    vacancy = forms.ChoiceField(label=_("Vacancy"), choices=NONE, required=False)
    employer = forms.ChoiceField(
        label=_("Employer"), choices=NONE, required=False, help_text=_("When not after a referral or a vacancy")
    )
    position = forms.CharField(label=_("Position"), max_length=300, required=False)
    started_on = date_field(_("Started on"), required=True)
    outside_quota = forms.BooleanField(
        label=_("Outside the employer's quota"),
        required=False,
        help_text=_("The place does not count toward the akimat's quota"),
    )


class PlacementEndForm(UswdsForm):
    ended_on = date_field(_("Ended on"), required=True)
    end_reason = forms.ChoiceField(label=_("Why it ended"), choices=[*NONE, *EndReason.choices])
    end_note = forms.CharField(
        label=_("About the end"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RefusalForm(_WithChoices):
    referral = forms.ChoiceField(label=_("Referral refused"), choices=NONE, required=False)
    employer = forms.ChoiceField(
        label=_("Employer"), choices=NONE, required=False, help_text=_("When the refusal is not of a referral")
    )
    refused_on = date_field(_("Refused on"), required=True)
    reason = ReasonField(label=_("Reason the person gave"))
    good_reason = forms.TypedChoiceField(
        label=_("Is it a good reason?"),
        choices=[("yes", _("Yes, a good reason")), ("no", _("No good reason"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        help_text=_("Without a good reason, the refusal is recorded against the court's duty to work"),
    )


class StatusForm(UswdsForm):
    status = forms.ChoiceField(label=_("Employment status"), choices=[*NONE, *Employment.choices])
    since = date_field(_("Since"), required=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


def options(rows: Iterable[Any], *, empty: Any = None) -> list[tuple[Any, Any]]:
    return _choices(rows, empty=empty)

"""Forms of the volunteer pages (the services check the rules; the forms only shape the input)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.people.models import Language
from openprobation.volunteers.models import CheckKind, SessionKind, VolunteerKind, VolunteerStatus

CHOOSE = ("", _("— choose —"))


class AsciiIntegerField(forms.IntegerField):
    """A whole number of the digits 0–9 only (Django reads "١٢" as 12; the service's numbers do not)."""

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if text and not (text.isascii() and text.lstrip("-").isdigit()):
            raise forms.ValidationError(_("Enter a whole number with the digits 0–9."), code="invalid")
        return super().to_python(value)


ANY = ("", _("Any"))


def _choices(field: forms.Field, choices: list[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, field).choices = choices


class RegistryFilterForm(UswdsForm):
    q = forms.CharField(label=_("Name or phone"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[ANY, *VolunteerKind.choices], required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[ANY, *VolunteerStatus.choices], required=False)
    office = forms.TypedChoiceField(label=_("District"), coerce=int, required=False, empty_value=None)
    attention = forms.BooleanField(label=_("Checks lapse within 30 days or have lapsed"), required=False)

    def __init__(self, *args: Any, offices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["office"], [ANY, *[(o.pk, str(o)) for o in offices]])


class VolunteerForm(UswdsForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=VolunteerKind.choices, initial=VolunteerKind.VOLUNTEER)
    iin = forms.CharField(label=_("IIN"), max_length=12, required=False, help_text=_("Optional; 12 digits"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    offices = forms.TypedMultipleChoiceField(
        label=_("Districts served"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    organisation = forms.TypedChoiceField(label=_("Comes through (NGO)"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, offices: list[Any], organisations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["offices"], [(o.pk, str(o)) for o in offices])
        _choices(self.fields["organisation"], [("", _("— none —")), *[(o.pk, str(o)) for o in organisations]])


class CheckForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Check"), choices=[CHOOSE, *CheckKind.choices])
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Passed")), ("no", _("Not passed"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    on = date_field(_("Done on"), required=True)
    reference = forms.CharField(label=_("Reference or document number"), max_length=100, required=False)


class StatusForm(UswdsForm):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = ReasonField()

    def __init__(self, *args: Any, allowed: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["to_status"], [CHOOSE, *allowed])


class AssignForm(UswdsForm):
    volunteer = forms.TypedChoiceField(label=_("Volunteer or mentor"), coerce=int)
    consent = forms.BooleanField(
        label=_("The person consents to the volunteer's support"),
        help_text=_("For a minor: the legal representative's consent as well"),
    )
    consent_on = date_field(_("Consent given on"), required=True)
    consent_note = forms.CharField(
        label=_("How consent was given"),
        max_length=500,
        help_text=_("For example: a signed statement in the personal file"),
    )
    started_on = date_field(_("Starts on"), required=True)

    def __init__(self, *args: Any, volunteers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["volunteer"], [CHOOSE, *volunteers])


class SessionForm(UswdsForm):
    held_on = date_field(_("Held on"), required=True)
    minutes = AsciiIntegerField(label=_("Minutes"), min_value=1, max_value=720, help_text=_("1 to 720"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[CHOOSE, *SessionKind.choices])
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary (as the volunteer reported)"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class EndForm(UswdsForm):
    ended_on = date_field(_("Ended on"), required=True)
    reason = ReasonField()

"""Forms of the referral, partner portal and organisation pages (the services check the rules;
the forms only shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.people.models import Language
from openprobation.programmes.catalogue import CapacityPeriod, Measure, OrganisationKind
from openprobation.programmes.referral_services import MAX_NOTE, MAX_REQUEST, PARTNER_ACTIONS

SEND = "send"
DRAFT = "draft"


class ReferralForm(UswdsForm):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, empty_value=None)
    request = forms.CharField(
        label=_("What is asked"),
        max_length=MAX_REQUEST,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the partner reads: the request, without the case's details."),
    )
    share_phone = forms.BooleanField(label=_("Share the person's phone with the organisation"), required=False)
    complete_due = date_field(
        _("Complete by (optional)"), help_text=_("Leave empty for the rule's deadline; an earlier date may be given.")
    )

    def __init__(self, *args: Any, organisations: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("— choose —"))]
        choices += [(org.pk, org.local_name) for org in organisations or []]
        self.fields["organisation"].choices = choices  # type: ignore[attr-defined]


class SendForm(UswdsForm):
    complete_due = date_field(
        _("Complete by (optional)"), help_text=_("Leave empty for the rule's deadline; an earlier date may be given.")
    )


class CancelForm(UswdsForm):
    reason = ReasonField()


class PortalActionForm(UswdsForm):
    action = forms.ChoiceField(label=_("What to do"), choices=list(PARTNER_ACTIONS.items()), widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )
    achieved = forms.TypedChoiceField(
        label=_("Was the goal achieved?"),
        required=False,
        choices=[("", _("— choose —")), ("yes", _("Yes")), ("no", _("No"))],
        coerce={"yes": True, "no": False}.get,
        empty_value=None,
    )


class OrganisationForm(UswdsForm):
    name = forms.CharField(label=_("Name"), max_length=300)
    name_kk = forms.CharField(label=_("Name (Kazakh)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("— choose —")), *OrganisationKind.choices])
    bin = forms.CharField(label=_("BIN"), max_length=12, required=False, help_text=_("12 digits"))
    districts = forms.TypedMultipleChoiceField(
        label=_("Districts served"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.MultipleChoiceField(
        label=_("Services offered"), choices=Measure.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(label=_("Places"), required=False, min_value=0, max_value=100_000)
    capacity_period = forms.ChoiceField(label=_("Places per"), choices=CapacityPeriod.choices)
    contact_person = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages of service"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, offices: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(o.pk, str(o)) for o in offices or []]  # type: ignore[attr-defined]


class StaffLinkForm(UswdsForm):
    user = forms.TypedChoiceField(label=_("Partner staff user"), coerce=int, empty_value=None)

    def __init__(self, *args: Any, users: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("— choose —"))]
        choices += [(u.pk, f"{u.display_name} ({u.username})") for u in users or []]
        self.fields["user"].choices = choices  # type: ignore[attr-defined]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or BIN"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *OrganisationKind.choices])
    district = forms.TypedChoiceField(label=_("District"), required=False, coerce=int, empty_value=None)
    measure = forms.ChoiceField(label=_("Service"), required=False, choices=[("", _("Any")), *Measure.choices])
    active = forms.ChoiceField(
        label=_("Active"), required=False, choices=[("yes", _("Active")), ("no", _("Inactive")), ("all", _("All"))]
    )

    def __init__(self, *args: Any, offices: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("Any")), *[(o.pk, str(o)) for o in offices or []]]  # type: ignore[attr-defined]

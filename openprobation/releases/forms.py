"""Forms of the release-plan pages (the services check the rules; the forms only shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.releases.models import HandoverKind, ItemStatus

MAX_TERM_MONTHS = 600


class AsciiIntegerField(forms.IntegerField):
    """A whole number typed with the digits 0-9 (other scripts' digits are refused, not read)."""

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value is not None else ""
        if text and not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class ItemForm(UswdsForm):
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    owner_name = forms.CharField(
        label=_("Owner"), max_length=300, required=False, help_text=_("Who sees to it: a person, a body, the family")
    )
    owner_organisation = forms.TypedChoiceField(
        label=_("Partner organisation"), coerce=int, required=False, empty_value=None
    )
    owner_user = forms.TypedChoiceField(label=_("Member of staff"), coerce=int, required=False, empty_value=None)
    due_on = date_field(_("Due on"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(
        self, *args: Any, organisations: list[Any] | None = None, staff: list[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        none: list[tuple[Any, Any]] = [("", _("— none —"))]
        self.fields["owner_organisation"].choices = none + [(o.pk, str(o)) for o in organisations or []]  # type: ignore[attr-defined]
        self.fields["owner_user"].choices = none + [(u.pk, u.display_name) for u in staff or []]  # type: ignore[attr-defined]


class HandoverDetailsForm(UswdsForm):
    receiving_office = forms.TypedChoiceField(
        label=_("Receiving office"),
        coerce=int,
        help_text=_("The probation office of the district the person will live in"),
    )
    handover_kind = forms.ChoiceField(label=_("Released to"), choices=HandoverKind.choices)
    decision_court = forms.CharField(
        label=_("Court"), max_length=300, required=False, help_text=_("For parole or deferral: the court's decision")
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=64, required=False)
    decision_date = date_field(_("Decision date"))
    decision_effective_date = date_field(_("Date of legal effect"))
    term_months = AsciiIntegerField(
        label=_("Term, months"),
        required=False,
        min_value=0,
        max_value=MAX_TERM_MONTHS,
        help_text=_("Parole: the unserved part of the sentence; deferral: the term of the deferral"),
    )
    term_days = AsciiIntegerField(label=_("Term, days"), required=False, min_value=0, max_value=31)

    def __init__(self, *args: Any, offices: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("— choose —"))]
        self.fields["receiving_office"].choices = choices + [(o.pk, str(o)) for o in offices or []]  # type: ignore[attr-defined]


class HandoverForm(UswdsForm):
    released_on = date_field(_("Day of release"), required=True)


class CancelForm(UswdsForm):
    reason = ReasonField(help_text=_("Why the person will not be released as planned"))

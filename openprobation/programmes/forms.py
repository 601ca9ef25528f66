"""Forms of the programme pages (the services check the rules; the forms only shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.core.forms import ReasonField, UswdsForm, date_field
from openprobation.programmes.catalogue import Measure, NeedDomain
from openprobation.programmes.models import MeasureStatus, ParticipantKind

CHOOSE = ("", _("— choose —"))


class OpenForm(UswdsForm):
    study = forms.CharField(
        label=_("Study of the person's situation"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when the person has no needs assessment."),
    )
    domains = forms.MultipleChoiceField(
        label=_("Goals: the needs to work on"),
        choices=NeedDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measures = forms.MultipleChoiceField(
        label=_("Measures"), choices=Measure.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    due_on = date_field(_("Measures due by"), required=True)


class GoalForm(UswdsForm):
    domain = forms.ChoiceField(label=_("Need"), choices=[CHOOSE, *NeedDomain.choices])
    text = forms.CharField(label=_("Goal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class GoalChangeForm(UswdsForm):
    text = forms.CharField(label=_("Goal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    achieved = forms.BooleanField(label=_("Achieved"), required=False)
    remove = forms.BooleanField(label=_("Remove this goal from the programme"), required=False)


class MeasureForm(UswdsForm):
    measure = forms.ChoiceField(label=_("Measure"), choices=[CHOOSE, *Measure.choices])
    goal = forms.TypedChoiceField(label=_("For the goal"), coerce=int, required=False, empty_value=None)
    description = forms.CharField(
        label=_("What is to be done"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisation = forms.TypedChoiceField(
        label=_("Responsible organisation"), coerce=int, required=False, empty_value=None
    )
    due_on = date_field(_("Due by"), required=True)

    def __init__(
        self, *args: Any, goals: list[Any] | None = None, organisations: list[Any] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", _("— none —")), *[(g.pk, str(g)) for g in goals or []]]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("— not chosen yet —")),
            *[(o.pk, o.name) for o in organisations or []],
        ]


class ProgressForm(UswdsForm):
    status = forms.ChoiceField(label=_("Status"), choices=[CHOOSE, *MeasureStatus.choices])
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required once the measure is done, not done or cancelled."),
    )
    outcome_on = date_field(_("Outcome on"))


class AgreementForm(UswdsForm):
    agreed = forms.TypedChoiceField(
        label=_("The person's answer"),
        choices=[CHOOSE, ("yes", _("Agrees with the programme")), ("no", _("Refuses the programme"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    on = date_field(_("On"), required=True)
    note = forms.CharField(
        label=_("The person's words"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    representative = forms.CharField(
        label=_("Parent or guardian who answered with the person"),
        required=False,
        max_length=300,
        help_text=_("Required for a minor."),
    )


class ReviewForm(UswdsForm):
    on = date_field(_("Reviewed on"), required=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(UswdsForm):
    on = date_field(_("Closed on"), required=True)
    reason = ReasonField()


class ParticipantForm(UswdsForm):
    kind = forms.ChoiceField(label=_("Who"), choices=[CHOOSE, *ParticipantKind.choices])
    family_member = forms.TypedChoiceField(label=_("Parent or guardian"), coerce=int, required=False, empty_value=None)
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("Name"), required=False, max_length=300, help_text=_("For someone else only."))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False)
    invited_on = date_field(_("Invited on"))
    copy_notices = forms.BooleanField(label=_("Copy on notices"), required=False, initial=True)

    def __init__(
        self, *args: Any, family: list[Any] | None = None, organisations: list[Any] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["family_member"].choices = [("", _("— none —")), *[(m.pk, str(m)) for m in family or []]]  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            ("", _("— none —")),
            *[(o.pk, f"{o.name} ({o.get_kind_display()})") for o in organisations or []],
        ]

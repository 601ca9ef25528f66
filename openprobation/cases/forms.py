"""Forms of the case pages. They shape input into what ``cases.services`` takes; the legal checks
(terms, eligibility, deadlines) stay in the services and ``cases.legal``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office, User
from openprobation.cases import legal
from openprobation.cases.models import (
    Case,
    CaseStatus,
    CaseType,
    CourtDecision,
    DecisionKind,
    RestraintMeasure,
    SentenceKind,
)
from openprobation.cases.selectors import SORTS
from openprobation.cases.services import CaseInput, DecisionInput
from openprobation.core.forms import ReasonField, UswdsForm, date_field, style_fields
from openprobation.core.timeutil import local_today


def _label(name: str) -> Any:
    return cast(Any, Case._meta.get_field(name)).verbose_name


SORT_LABELS: dict[str, Any] = {
    "-received": _("Received, newest first"),
    "received": _("Received, oldest first"),
    "number": _("Case number"),
    "-number": _("Case number, descending"),
    "name": _("Name, A to Z"),
    "-name": _("Name, Z to A"),
    "status": _("Status"),
    "due": _("Registration deadline"),
    "control_end": _("End of probation control"),
}


class CaseloadFilterForm(UswdsForm):
    """The caseload's search and filters (a GET form; invalid values are simply ignored)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, IIN (or its first digits) or case number."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *CaseType.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *CaseStatus.choices])
    office = forms.TypedChoiceField(label=_("Office"), required=False, coerce=int, empty_value=None)
    officer = forms.TypedChoiceField(label=_("Officer"), required=False, coerce=int, empty_value=None)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(k, label) for k, label in SORT_LABELS.items() if k in SORTS]
        + [(k, k) for k in SORTS if k not in SORT_LABELS],
    )
    mine = forms.BooleanField(label=_("Only my cases"), required=False)
    open = forms.BooleanField(label=_("Only open cases"), required=False)
    overdue = forms.BooleanField(label=_("Registration overdue"), required=False, widget=forms.HiddenInput)
    unallocated = forms.BooleanField(label=_("Not allocated"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, offices: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office_field = cast(forms.TypedChoiceField, self.fields["office"])
        office_field.choices = [("", _("All offices")), *[(o.pk, o.name) for o in offices]]
        officer_field = cast(forms.TypedChoiceField, self.fields["officer"])
        officer_field.choices = [("", _("All officers")), *[(u.pk, u.display_name) for u in officers]]
        if len(office_field.choices) <= 2:
            office_field.widget = forms.HiddenInput()


class CaseTransitionForm(UswdsForm):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = ReasonField()
    effective_on = date_field(_("Effective date"), help_text=_("Leave empty for today."))

    def __init__(self, *args: Any, moves: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(CaseStatus.choices)
        field = cast(forms.ChoiceField, self.fields["to_status"])
        field.choices = [("", _("— choose —")), *[(s, labels[s]) for s in moves]]


class CaseRegisterForm(UswdsForm):
    registered_on = date_field(_("Registered on"), required=True)
    reason = ReasonField(label=_("Note"), required=False)


class CaseAllocateForm(UswdsForm):
    officer = forms.TypedChoiceField(label=_("Officer"), coerce=int, required=False, empty_value=None)
    reason = ReasonField()

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {u.pk: u for u in officers}
        field = cast(forms.TypedChoiceField, self.fields["officer"])
        field.choices = [("", _("Nobody (remove the allocation)")), *[(u.pk, u.display_name) for u in officers]]

    def chosen_officer(self) -> User | None:
        pk = self.cleaned_data.get("officer")
        return self.officers.get(pk) if pk else None


class CaseTransferForm(UswdsForm):
    to_office = forms.ModelChoiceField(
        label=_("To office"), queryset=Office.objects.none(), empty_label=_("— choose —")
    )
    reason = ReasonField()

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["to_office"])
        field.queryset = offices
        style_fields(self)


class CaseAppearanceForm(UswdsForm):
    appeared_on = date_field(_("Appeared at the office on"), required=True)


def _decision_label(name: str) -> Any:
    return cast(Any, CourtDecision._meta.get_field(name)).verbose_name


class CourtDecisionForm(UswdsForm):
    """A court decision made after the case was opened; the fields used depend on its kind."""

    kind = forms.ChoiceField(label=_decision_label("kind"), choices=[("", _("— choose —")), *DecisionKind.choices])
    court = forms.CharField(label=_decision_label("court"), max_length=300)
    number = forms.CharField(label=_decision_label("number"), max_length=64)
    decision_date = date_field(_decision_label("decision_date"), required=True)
    effective_date = date_field(
        _decision_label("effective_date"), help_text=_("Leave empty if the same as the decision date.")
    )
    extension_months = forms.IntegerField(
        label=_decision_label("extension_months"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("Only when control is extended."),
    )
    new_control_end = date_field(_decision_label("new_control_end"), help_text=_("Only when control ends early."))
    new_sentence_kind = forms.ChoiceField(
        label=_decision_label("new_sentence_kind"),
        required=False,
        choices=[("", _("— choose —")), *SentenceKind.choices],
        help_text=_("Only when the sentence is replaced; with its term in months unless it is imprisonment."),
    )
    new_term_months = forms.IntegerField(
        label=_decision_label("new_term_months"), required=False, min_value=1, max_value=600
    )
    duties_added = forms.CharField(
        label=_decision_label("duties_added"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One duty per line, as the decision words it."),
    )
    duties_removed = forms.CharField(
        label=_decision_label("duties_removed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One duty per line, as the decision words it."),
    )
    note = forms.CharField(
        label=_decision_label("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def decision_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            kind=data["kind"],
            court=data["court"],
            number=data["number"],
            decision_date=data["decision_date"],
            effective_date=data.get("effective_date"),
            extension_months=data.get("extension_months"),
            new_control_end=data.get("new_control_end"),
            new_sentence_kind=data.get("new_sentence_kind") or "",
            new_term_months=data.get("new_term_months"),
            duties_added=(data.get("duties_added") or "").splitlines(),
            duties_removed=(data.get("duties_removed") or "").splitlines(),
            note=data.get("note") or "",
        )


# --- Opening a case ------------------------------------------------------------------------------

LEGAL_BASIS = ["court", "decision_number", "decision_date"]
TYPE_FIELDS: dict[str, list[str]] = {
    CaseType.PRE_TRIAL: ["restraint_measure", "consent_date"],
    CaseType.SENTENCE: [
        *LEGAL_BASIS,
        "effective_date",
        "cc_articles",
        "sentence_kind",
        "replaces_punishment",
        "offence_date",
        "term_months",
        "term_days",
        "term_hours",
        "control_months",
        "release_date",
        "appeared_on",
    ],
    CaseType.PENITENTIARY: [
        *LEGAL_BASIS,
        "effective_date",
        "cc_articles",
        "term_months",
        "term_days",
        "institution",
        "release_date",
    ],
    CaseType.POST_PENITENTIARY: [
        *LEGAL_BASIS,
        "effective_date",
        "cc_articles",
        "sentence_kind",
        "term_months",
        "term_days",
        "institution",
        "release_date",
        "appeared_on",
    ],
}
REQUIRED_BY_TYPE: dict[str, set[str]] = {
    CaseType.PRE_TRIAL: {"restraint_measure"},
    CaseType.SENTENCE: {*LEGAL_BASIS, "sentence_kind"},
    CaseType.PENITENTIARY: {*LEGAL_BASIS, "release_date"},
    CaseType.POST_PENITENTIARY: {*LEGAL_BASIS, "release_date"},
}
SECTIONS = {
    "legal_basis": ["court", "decision_number", "decision_date", "effective_date", "cc_articles"],
    "sentence": [
        "sentence_kind",
        "replaces_punishment",
        "offence_date",
        "term_months",
        "term_days",
        "term_hours",
        "control_months",
    ],
    "pre_trial": ["restraint_measure", "consent_date"],
    "release": ["institution", "release_date", "appeared_on"],
}


class CaseOpenForm(UswdsForm):
    case_type = forms.ChoiceField(label=_("Type of probation"), choices=CaseType.choices, widget=forms.RadioSelect)
    received_on = date_field(_label("received_on"), required=True)
    court = forms.CharField(label=_label("court"), required=False, max_length=300)
    decision_number = forms.CharField(label=_label("decision_number"), required=False, max_length=64)
    decision_date = date_field(_label("decision_date"))
    effective_date = date_field(_label("effective_date"))
    cc_articles = forms.CharField(
        label=_label("cc_articles"), required=False, max_length=300, help_text=_("For example: 188 part 2, 190 part 1")
    )
    sentence_kind = forms.ChoiceField(label=_label("sentence_kind"), required=False)
    replaces_punishment = forms.BooleanField(
        label=_label("replaces_punishment"),
        required=False,
        help_text=_("Restriction of liberty only: it may then be shorter than six months, without forced labour."),
    )
    offence_date = date_field(
        _label("offence_date"), help_text=_("Decides whether the person was a minor when the offence was committed.")
    )
    term_months = forms.IntegerField(
        label=_label("term_months"),
        required=False,
        min_value=0,
        max_value=600,
        help_text=_("For parole: the unserved part of the term."),
    )
    term_days = forms.IntegerField(label=_label("term_days"), required=False, min_value=0, max_value=31)
    term_hours = forms.IntegerField(
        label=_label("term_hours"),
        required=False,
        min_value=1,
        max_value=2400,
        help_text=_("Community service is imposed in hours."),
    )
    control_months = forms.IntegerField(
        label=_label("control_months"),
        required=False,
        min_value=0,
        max_value=600,
        help_text=_("Only for a minor's conditional sentence, where the court sets it separately."),
    )
    restraint_measure = forms.ChoiceField(
        label=_label("restraint_measure"), required=False, choices=[("", _("— choose —")), *RestraintMeasure.choices]
    )
    consent_date = date_field(
        _label("consent_date"), help_text=_("Pre-trial probation is voluntary: the date the person consented.")
    )
    institution = forms.CharField(label=_label("institution"), required=False, max_length=300)
    release_date = date_field(_label("release_date"))
    appeared_on = date_field(_label("appeared_on"))

    def __init__(self, *args: Any, case_type: str | None, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen_type = case_type if case_type in CaseType.values else None
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(
                label=_("Office"), queryset=offices, empty_label=_("— choose —")
            )
            style_fields(self)
        keep = set(TYPE_FIELDS.get(self.chosen_type or "", []))
        for name in [n for section in SECTIONS.values() for n in section]:
            if name not in keep:
                del self.fields[name]
            elif name in REQUIRED_BY_TYPE.get(self.chosen_type or "", set()):
                self.fields[name].required = True
        if self.chosen_type is None:
            del self.fields["received_on"]
        if "sentence_kind" in self.fields:
            allowed = legal.kinds_for_type(self.chosen_type or "", on=local_today())
            kinds = [(k, label) for k, label in SentenceKind.choices if k in allowed]
            blank_label = _("Not stated") if "" in allowed else _("— choose —")
            field = cast(forms.ChoiceField, self.fields["sentence_kind"])
            field.choices = [("", blank_label), *kinds]
        if self.chosen_type == CaseType.PENITENTIARY and "release_date" in self.fields:
            self.fields["release_date"].label = _("Expected release date")
        if self.chosen_type == CaseType.SENTENCE:
            self.fields["release_date"].label = _("Released on (parole, deferral of sentence)")
            self.fields["appeared_on"].label = _("Appeared at the office on (deferral of sentence)")

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        titles = {
            "legal_basis": _("Legal basis"),
            "sentence": _("Sentence"),
            "pre_trial": _("Pre-trial probation"),
            "release": _("Release"),
        }
        out = []
        for key, names in SECTIONS.items():
            bound = [self[n] for n in names if n in self.fields]
            if bound:
                out.append((str(titles[key]), bound))
        return out

    def case_input(self) -> CaseInput:
        data = self.cleaned_data
        kind = data.get("sentence_kind") or ""
        if self.chosen_type == CaseType.PENITENTIARY:
            kind = SentenceKind.IMPRISONMENT
        return CaseInput(
            case_type=data["case_type"],
            received_on=data["received_on"],
            court=data.get("court") or "",
            decision_number=data.get("decision_number") or "",
            decision_date=data.get("decision_date"),
            effective_date=data.get("effective_date"),
            cc_articles=data.get("cc_articles") or "",
            sentence_kind=kind,
            replaces_punishment=bool(data.get("replaces_punishment")),
            offence_date=data.get("offence_date"),
            term_months=data.get("term_months"),
            term_days=data.get("term_days") or 0,
            term_hours=data.get("term_hours"),
            control_months=data.get("control_months"),
            restraint_measure=data.get("restraint_measure") or "",
            consent_date=data.get("consent_date"),
            institution=data.get("institution") or "",
            release_date=data.get("release_date"),
            appeared_on=data.get("appeared_on"),
        )

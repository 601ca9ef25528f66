"""Forms for registering and editing people. They only shape input; the rules live in
``people.services`` (which raise DomainError naming the field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Region
from openprobation.core.forms import UswdsForm, date_field
from openprobation.core.text import typed_digits
from openprobation.people.countries import citizenship_choices
from openprobation.people.models import (
    KAZAKHSTAN,
    Address,
    AddressKind,
    Disability,
    DocumentKind,
    DocumentStatus,
    Education,
    Employment,
    FamilyMember,
    IdentityDocument,
    Language,
    Person,
    Relation,
    Sex,
)
from openprobation.people.services import PERSON_FIELDS

ADDRESS_FIELDS = ["region", "locality", "street", "building", "apartment", "postcode"]
DOCUMENT_FIELDS = ["kind", "number", "issued_by", "issued_on", "valid_until", "status"]
FAMILY_FIELDS = ["relation", "full_name", "birth_date", "dependant", "legal_representative", "lives_with", "phone"]


def _label(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name).verbose_name  # type: ignore[union-attr]


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("— choose —")), *choices]


def _text(model: type[models.Model], name: str, *, required: bool = False, **kwargs: Any) -> forms.CharField:
    max_length = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    return forms.CharField(label=_label(model, name), required=required, max_length=max_length, **kwargs)


class PersonForm(UswdsForm):
    """A person's own details (registration and editing)."""

    iin = forms.CharField(
        label=_("IIN"),
        required=False,
        max_length=20,
        help_text=_(
            "12 digits; spaces are ignored. The date of birth and sex are filled in from it. "
            "Leave empty only if the person has no IIN (for example a foreign national)."
        ),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                # app.js fills the date of birth and sex as the IIN is typed, and says so here.
                "data-iin-fill": "id_birth_date id_sex",
                "data-iin-filled": _("The date of birth and sex are filled in from the IIN."),
                "aria-describedby": "id_iin_helptext iin-fill-status",
            }
        ),
    )
    surname = _text(
        Person,
        "surname",
        required=True,
        help_text=_(
            "As in the identity document: in Cyrillic for a citizen of Kazakhstan; "
            "a foreign national's name may be in Latin letters."
        ),
    )
    first_name = _text(Person, "first_name", required=True)
    patronymic = _text(Person, "patronymic")
    surname_latin = _text(Person, "surname_latin", help_text=_("Leave empty to fill in from the name above."))
    first_name_latin = _text(Person, "first_name_latin")
    patronymic_latin = _text(Person, "patronymic_latin")
    # Not required here: a valid IIN gives both (``services._fill_from_iin``), which says what is missing.
    birth_date = date_field(_label(Person, "birth_date"), help_text=_("Filled in from the IIN when left empty."))
    sex = forms.ChoiceField(label=_label(Person, "sex"), choices=Sex.choices, widget=forms.RadioSelect, required=False)
    citizenship = forms.ChoiceField(
        label=_label(Person, "citizenship"), choices=citizenship_choices, initial=KAZAKHSTAN, required=False
    )
    native_language = forms.ChoiceField(
        label=_label(Person, "native_language"), choices=Language.choices, initial=Language.KAZAKH
    )
    languages = forms.MultipleChoiceField(
        label=_label(Person, "languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = _text(Person, "phone", widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label=_label(Person, "email"), required=False)
    disability_group = forms.TypedChoiceField(
        label=_label(Person, "disability_group"), choices=Disability.choices, coerce=int, initial=Disability.NONE
    )
    pregnant = forms.BooleanField(label=_label(Person, "pregnant"), required=False)
    raises_children_alone = forms.BooleanField(label=_label(Person, "raises_children_alone"), required=False)
    employment_status = forms.ChoiceField(
        label=_label(Person, "employment_status"), choices=Employment.choices, initial=Employment.UNKNOWN
    )
    education_level = forms.ChoiceField(
        label=_label(Person, "education_level"), choices=Education.choices, initial=Education.UNKNOWN
    )
    in_education = forms.BooleanField(label=_label(Person, "in_education"), required=False)
    notes = forms.CharField(label=_label(Person, "notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_iin(self) -> str:
        """Spaces dropped and other scripts' digits read as 0–9 ("900517 3 00077"); the service checks the rest."""
        return typed_digits(str(self.cleaned_data.get("iin") or ""))

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in PERSON_FIELDS if name in self.cleaned_data}

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {name: getattr(person, name) for name in PERSON_FIELDS}


class PersonCreateForm(PersonForm):
    """Registration adds the office (for regional staff) and the duplicate confirmation."""

    confirm_not_duplicate = forms.BooleanField(label=_("I have checked: this is a different person"), required=False)

    def __init__(self, *args: Any, offices: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offices is not None:
            self.fields["office"] = forms.ModelChoiceField(
                label=_("Office"), queryset=offices, empty_label=_("— choose —")
            )
            self.fields["office"].widget.attrs["class"] = "usa-select"


def region_choices(current: str = "") -> list[tuple[str, Any]]:
    """The regions of the service (oblasts and cities of republican significance) by name in the
    page's language; an address recorded before keeps its region even if spelled otherwise."""
    names = sorted({region.name for region in Region.objects.all()})
    choices: list[tuple[str, Any]] = [("", _("— choose —")), *((n, n) for n in names)]
    if current and current not in names:
        choices.append((current, current))
    return choices


class AddressForm(UswdsForm):
    """Region from the list of regions; the city or village is typed, with the places already
    recorded offered as suggestions (a datalist: a new village is still accepted)."""

    region = forms.ChoiceField(label=_label(Address, "region"), required=False)
    locality = _text(Address, "locality", widget=forms.TextInput(attrs={"list": "locality-options"}))
    street = _text(Address, "street")
    building = _text(Address, "building")
    apartment = _text(Address, "apartment")
    postcode = _text(Address, "postcode")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = str(self.initial.get("region") or "")
        self.fields["region"].choices = region_choices(current)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(f) for f in ADDRESS_FIELDS) and not data.get("locality"):
            self.add_error("locality", _("The city or village is required."))
        return data

    def address_data(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f) or "" for f in ADDRESS_FIELDS}


class AddressSetForm(AddressForm):
    kind = forms.ChoiceField(label=_("Which address"), choices=AddressKind.choices, widget=forms.RadioSelect)

    field_order = ["kind", *ADDRESS_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locality"].required = True


class DocumentForm(UswdsForm):
    kind = forms.ChoiceField(
        label=_label(IdentityDocument, "kind"), choices=_blank(DocumentKind.choices), required=False
    )
    number = _text(IdentityDocument, "number")
    issued_by = _text(IdentityDocument, "issued_by")
    issued_on = date_field(_label(IdentityDocument, "issued_on"))
    valid_until = date_field(_label(IdentityDocument, "valid_until"))
    status = forms.ChoiceField(
        label=_label(IdentityDocument, "status"), choices=DocumentStatus.choices, initial=DocumentStatus.VALID
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = any(data.get(f) for f in ("number", "issued_by", "issued_on", "valid_until"))
        if filled and not data.get("kind"):
            self.add_error("kind", _("Choose the kind of document."))
        issued, valid = data.get("issued_on"), data.get("valid_until")
        if issued and valid and valid < issued:
            self.add_error("valid_until", _("A document cannot expire before it was issued."))
        return data

    def document_data(self) -> dict[str, Any]:
        return {
            f: self.cleaned_data.get(f) if f in ("issued_on", "valid_until") else self.cleaned_data.get(f) or ""
            for f in DOCUMENT_FIELDS
        }


class DocumentAddForm(DocumentForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = True


class FamilyMemberForm(UswdsForm):
    relation = forms.ChoiceField(
        label=_label(FamilyMember, "relation"), choices=_blank(Relation.choices), required=False
    )
    full_name = _text(FamilyMember, "full_name")
    birth_date = date_field(_label(FamilyMember, "birth_date"), help_text=_("Required for children."))
    dependant = forms.BooleanField(label=_label(FamilyMember, "dependant"), required=False)
    legal_representative = forms.BooleanField(
        label=_label(FamilyMember, "legal_representative"),
        required=False,
        help_text=_("For a minor: a parent or guardian who represents them."),
    )
    lives_with = forms.BooleanField(label=_label(FamilyMember, "lives_with"), required=False)
    phone = _text(FamilyMember, "phone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("full_name") and not data.get("relation"):
            self.add_error("relation", _("Choose the relation."))
        if data.get("relation") and not data.get("full_name"):
            self.add_error("full_name", _("The full name is required."))
        if data.get("relation") == Relation.CHILD and not data.get("birth_date"):
            self.add_error("birth_date", _("Enter the child's date of birth."))
        return data

    def member_data(self) -> dict[str, Any]:
        return {
            f: self.cleaned_data.get(f)
            if f in ("birth_date", "dependant", "legal_representative", "lives_with")
            else self.cleaned_data.get(f) or ""
            for f in FAMILY_FIELDS
        }


class FamilyMemberAddForm(FamilyMemberForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["relation"].required = True
        self.fields["full_name"].required = True


# Family members are added on demand: the page shows none until "Add a family member" (app.js
# reveals one more block each time; without script, the form shows one and "Add another" posts
# back with one more).
FamilyFormSet = forms.formset_factory(FamilyMemberForm, extra=0, max_num=20, validate_max=True)

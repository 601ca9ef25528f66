"""Shapes of people in the API. Input serializers only check types, lengths and choices; the
business rules (IIN, names, duplicates) are the services' job."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from openprobation.accounts.serializers import OfficeRefSerializer
from openprobation.core.api import ErrorSerializer
from openprobation.people.models import (
    Address,
    Disability,
    Education,
    Employment,
    FamilyMember,
    IdentityDocument,
    Language,
    Person,
    Sex,
)

ADDRESS_FIELDS = ["region", "locality", "street", "building", "apartment", "postcode"]


class AddressSerializer(serializers.ModelSerializer[Address]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Address
        fields = ["kind", "kind_label", *ADDRESS_FIELDS]


class AddressSetSerializer(serializers.ModelSerializer[Address]):
    """The body of ``PUT /people/{id}/addresses/{kind}/`` (the kind is in the path)."""

    class Meta:
        model = Address
        fields = ADDRESS_FIELDS


class DocumentSerializer(serializers.ModelSerializer[IdentityDocument]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    expired = serializers.BooleanField(
        read_only=True, help_text="Recorded as expired, or past its validity date (valid_until before today)."
    )

    class Meta:
        model = IdentityDocument
        fields = [
            "id",
            "kind",
            "kind_label",
            "number",
            "issued_by",
            "issued_on",
            "valid_until",
            "status",
            "status_label",
            "expired",
        ]
        read_only_fields = ["id", "expired"]


class FamilyMemberSerializer(serializers.ModelSerializer[FamilyMember]):
    relation_label = serializers.CharField(source="get_relation_display", read_only=True)

    class Meta:
        model = FamilyMember
        fields = [
            "id",
            "relation",
            "relation_label",
            "full_name",
            "birth_date",
            "dependant",
            "legal_representative",
            "lives_with",
            "phone",
        ]
        read_only_fields = ["id"]


class PersonSummarySerializer(serializers.ModelSerializer[Person]):
    full_name = serializers.CharField(read_only=True)
    full_name_latin = serializers.CharField(read_only=True)
    registered_office = OfficeRefSerializer(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "iin", "full_name", "full_name_latin", "birth_date", "sex", "registered_office"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    full_name = serializers.CharField(read_only=True)
    full_name_latin = serializers.CharField(read_only=True)
    registered_office = OfficeRefSerializer(read_only=True)
    sex_label = serializers.CharField(source="get_sex_display", read_only=True)
    email = serializers.CharField(read_only=True, help_text="E-mail address; empty when not known.")
    addresses = AddressSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    family = FamilyMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "iin",
            "full_name",
            "full_name_latin",
            "surname",
            "first_name",
            "patronymic",
            "surname_latin",
            "first_name_latin",
            "patronymic_latin",
            "birth_date",
            "sex",
            "sex_label",
            "citizenship",
            "native_language",
            "languages",
            "phone",
            "email",
            "disability_group",
            "pregnant",
            "raises_children_alone",
            "employment_status",
            "education_level",
            "in_education",
            "notes",
            "registered_office",
            "addresses",
            "documents",
            "family",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PersonDataSerializer(serializers.Serializer[dict[str, Any]]):
    """The person's own fields, as ``person_create`` / ``person_update`` take them."""

    iin = serializers.CharField(max_length=12, required=False, allow_blank=True, allow_null=True)
    surname = serializers.CharField(
        max_length=100,
        help_text="As in the identity document, in one alphabet for the whole name: Cyrillic for a citizen of "
        "Kazakhstan; Cyrillic or Latin letters when the citizenship is not KAZ.",
    )
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True)
    surname_latin = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Filled in when empty: transliterated from a Cyrillic name, a Latin name as given.",
    )
    first_name_latin = serializers.CharField(max_length=100, required=False, allow_blank=True)
    patronymic_latin = serializers.CharField(max_length=100, required=False, allow_blank=True)
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text="Filled in from the IIN when omitted (the IIN encodes it)."
    )
    sex = serializers.ChoiceField(
        choices=Sex.choices, required=False, allow_blank=True, help_text="Filled in from the IIN when omitted."
    )
    citizenship = serializers.CharField(
        max_length=3,
        required=False,
        allow_blank=True,
        help_text="ISO 3166 alpha-3 code; KAZ when omitted, empty for a stateless person.",
    )
    native_language = serializers.ChoiceField(choices=Language.choices, required=False)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False, max_length=len(Language.choices)
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    disability_group = serializers.ChoiceField(choices=Disability.choices, required=False)
    pregnant = serializers.BooleanField(required=False)
    raises_children_alone = serializers.BooleanField(required=False)
    employment_status = serializers.ChoiceField(choices=Employment.choices, required=False)
    education_level = serializers.ChoiceField(choices=Education.choices, required=False)
    in_education = serializers.BooleanField(required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class PersonCreateSerializer(PersonDataSerializer):
    office = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Registering office; defaults to the caller's own office (required for regional and national staff).",
    )
    addresses = AddressSerializer(many=True, required=False)
    documents = DocumentSerializer(many=True, required=False)
    family = FamilyMemberSerializer(many=True, required=False)
    confirm_not_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Set after checking the people with the same name and birth date returned by a possible_duplicate answer.",
    )

    def validate_addresses(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kinds = [item["kind"] for item in value]
        if len(kinds) != len(set(kinds)):
            raise serializers.ValidationError(_("Give at most one address of each kind."))
        return value


class PossibleDuplicateSerializer(ErrorSerializer):
    """The 400 answer of registering a person: the error shape, and for a possible_duplicate the
    people with the same name and birth date."""

    duplicates = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="For possible_duplicate: ids of the near duplicates the caller may open.",
    )
    registered_elsewhere = serializers.BooleanField(
        required=False,
        help_text="For possible_duplicate: whether more are registered outside the caller's jurisdiction "
        "(not who, where nor how many).",
    )
    in_jurisdiction = serializers.BooleanField(
        required=False, help_text="For duplicate_iin: whether the person with that IIN is in the caller's jurisdiction."
    )
    existing = serializers.IntegerField(
        required=False, help_text="For duplicate_iin within the caller's jurisdiction: the person with that IIN."
    )


class IinCheckQuerySerializer(serializers.Serializer[dict[str, Any]]):
    iin = serializers.CharField(max_length=32, allow_blank=True)
    birth_date = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)


class IinRegisteredSerializer(serializers.Serializer[dict[str, Any]]):
    in_jurisdiction = serializers.BooleanField()
    person = serializers.IntegerField(allow_null=True, help_text="The person, if in the caller's jurisdiction.")
    detail = serializers.CharField(help_text="What it means and how to proceed.")


class IinCheckSerializer(serializers.Serializer[dict[str, Any]]):
    valid = serializers.BooleanField()
    birth_date = serializers.DateField(allow_null=True, help_text="The date of birth the IIN encodes.")
    sex = serializers.CharField(allow_null=True, help_text="The sex the IIN encodes (M or F).")
    error = serializers.CharField(allow_null=True)
    part = serializers.CharField(
        allow_null=True, help_text="What is wrong: format, century, date, check_digit, birth_date or sex."
    )
    registered = IinRegisteredSerializer(
        allow_null=True,
        help_text="For those who register people: whether a person with this IIN is already registered "
        "(null: not registered, or the caller does not register people). Every such answer is audited.",
    )


class PersonSearchQuerySerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="Name, Latin name or IIN.")

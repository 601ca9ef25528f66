"""Shapes of staff, offices and caseload in the API (read-only; accounts have no API writes)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from openprobation.accounts.models import ApiToken, Office, Region, User


class RegionSerializer(serializers.ModelSerializer[Region]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class OfficeSerializer(serializers.ModelSerializer[Office]):
    name = serializers.CharField(read_only=True)
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Office
        fields = ["id", "code", "name", "region", "address", "phone", "officer_capacity"]


class OfficeRefSerializer(serializers.ModelSerializer[Office]):
    """An office as named from another object (a case, a person)."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Office
        fields = ["id", "code", "name"]


class StaffRefSerializer(serializers.ModelSerializer[User]):
    """A member of staff as named from another object (the officer of a case)."""

    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class MeSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    patronymic = serializers.CharField()
    email = serializers.CharField(help_text=_("E-mail address; empty when not known."))
    language = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    level = serializers.CharField(help_text=_("Jurisdiction: office, region or national."))
    office = OfficeRefSerializer(allow_null=True)
    region = RegionSerializer(allow_null=True)
    capabilities = serializers.ListField(child=serializers.CharField())


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    # Declared fields leave the class body (DRF's metaclass), so this does not hide ``Field.label``.
    label = serializers.CharField(  # type: ignore[assignment]
        max_length=100, required=False, allow_blank=True, help_text=_("What the token is for, to tell it apart.")
    )


class ApiTokenSerializer(serializers.Serializer[ApiToken]):
    """One of my API tokens, as listed: never the secret."""

    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    prefix = serializers.CharField(help_text=_("The first characters of the token, to recognise it."))
    created = serializers.DateTimeField(source="created_at")
    last_used = serializers.DateTimeField(source="last_used_at", allow_null=True)
    expires = serializers.DateTimeField(source="expires_at")


class TokenSerializer(ApiTokenSerializer):
    """A newly issued token: the secret appears here once and is never shown again."""

    token = serializers.CharField(help_text=_("Send as the header Authorization: Token <token>."))


class OfficerLoadSerializer(serializers.Serializer[dict[str, object]]):
    officer = StaffRefSerializer()
    open_cases = serializers.IntegerField()
    capacity = serializers.IntegerField()
    percent = serializers.IntegerField()
    over = serializers.BooleanField()


class OfficeCaseloadSerializer(serializers.Serializer[dict[str, object]]):
    office = OfficeRefSerializer()
    capacity = serializers.IntegerField(help_text=_("Cases per officer the office expects."))
    unallocated = serializers.IntegerField(help_text=_("Open cases with no officer."))
    officers = OfficerLoadSerializer(many=True)

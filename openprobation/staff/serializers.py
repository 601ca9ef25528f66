"""Shapes of staff accounts for their administration in the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from openprobation.accounts.models import Office, Region, Role, User
from openprobation.accounts.serializers import OfficeRefSerializer, RegionSerializer


class StaffSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="display_name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    office = OfficeRefSerializer(read_only=True)
    region = RegionSerializer(read_only=True)
    monitored_regions = RegionSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "last_name",
            "first_name",
            "patronymic",
            "email",
            "language",
            "role",
            "role_label",
            "office",
            "region",
            "monitored_regions",
            "is_active",
            "last_login",
        ]
        read_only_fields = fields


class StaffChangeSerializer(serializers.Serializer[dict[str, Any]]):
    """What an administrator may change; the service checks who may and what fits the role."""

    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    patronymic = serializers.CharField(max_length=150, allow_blank=True, required=False)
    email = serializers.EmailField(allow_blank=True, required=False)
    language = serializers.ChoiceField(choices=["kk", "ru", "en"], required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    office = serializers.PrimaryKeyRelatedField(queryset=Office.objects.all(), allow_null=True, required=False)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    monitored_regions = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), many=True, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field cannot be changed here.")] for name in unknown}, code="read_only"
            )
        return attrs

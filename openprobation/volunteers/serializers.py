"""API shapes of the volunteers endpoints (explicit fields)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from openprobation.people.models import Language
from openprobation.volunteers.models import (
    CheckKind,
    SessionKind,
    SupportSession,
    Volunteer,
    VolunteerAssignment,
    VolunteerCheck,
    VolunteerKind,
    VolunteerStatus,
)

MAX_ID = 2**63 - 1
ASCII_DIGITS = _("Enter a whole number with the digits 0–9.")


class IntegerField(serializers.IntegerField):
    """A whole number as JSON number or text of the digits 0–9 only ("١٢" and true are refused)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or (
            isinstance(data, str) and not (data.strip().isascii() and data.strip().isdigit())
        ):
            raise serializers.ValidationError(str(ASCII_DIGITS), code="invalid")
        return int(super().to_internal_value(data))


class EligibilitySerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    expired = serializers.ListField(child=serializers.CharField())
    valid_until = serializers.DateField(allow_null=True)
    rule_key = serializers.CharField()
    rule_version = serializers.IntegerField()


class VolunteerCheckSerializer(serializers.ModelSerializer[VolunteerCheck]):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = VolunteerCheck
        fields = ["id", "kind", "passed", "on", "valid_until", "reference", "rule_key", "rule_version", "recorded_by"]


class VolunteerSerializer(serializers.ModelSerializer[Volunteer]):
    offices = serializers.SerializerMethodField()
    region = serializers.CharField(source="region.code", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "full_name",
            "kind",
            "status",
            "iin",
            "phone",
            "email",
            "languages",
            "region",
            "offices",
            "organisation",
            "note",
        ]

    def get_offices(self, obj: Volunteer) -> list[int]:
        return sorted(o.pk for o in obj.offices.all())


class VolunteerDetailSerializer(VolunteerSerializer):
    eligibility = serializers.SerializerMethodField()
    checks = VolunteerCheckSerializer(many=True, read_only=True)
    sessions = serializers.SerializerMethodField()

    class Meta(VolunteerSerializer.Meta):
        fields = [*VolunteerSerializer.Meta.fields, "eligibility", "checks", "sessions"]

    def get_eligibility(self, obj: Volunteer) -> dict[str, Any]:
        return dict(EligibilitySerializer(self.context["eligibility"]).data)

    def get_sessions(self, obj: Volunteer) -> int:
        return int(self.context["sessions"])


class VolunteerInputSerializer(serializers.Serializer[dict[str, Any]]):
    full_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=VolunteerKind.choices, required=False, default=VolunteerKind.VOLUNTEER)
    iin = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False, default=list, max_length=20
    )
    offices = serializers.ListField(child=IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=100)
    organisation = IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VolunteerPatchSerializer(VolunteerInputSerializer):
    """Only the fields given change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class VolunteerListQuerySerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=VolunteerKind.choices, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=VolunteerStatus.choices, required=False, allow_blank=True, default="")
    office = IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)
    attention = serializers.BooleanField(required=False, default=False)


class CheckInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=CheckKind.choices)
    passed = serializers.BooleanField()
    on = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class StatusInputSerializer(serializers.Serializer[dict[str, Any]]):
    to_status = serializers.ChoiceField(choices=VolunteerStatus.choices)
    reason = serializers.CharField(max_length=2000)


class SessionSerializer(serializers.ModelSerializer[SupportSession]):
    logged_by = serializers.CharField(source="logged_by.username", read_only=True)

    class Meta:
        model = SupportSession
        fields = ["id", "assignment", "held_on", "minutes", "kind", "place", "summary", "logged_by"]


class AssignmentSerializer(serializers.ModelSerializer[VolunteerAssignment]):
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    volunteer_kind = serializers.CharField(source="volunteer.kind", read_only=True)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True)
    sessions = serializers.SerializerMethodField()

    class Meta:
        model = VolunteerAssignment
        fields = [
            "id",
            "case",
            "volunteer",
            "volunteer_name",
            "volunteer_kind",
            "consent_on",
            "consent_note",
            "started_on",
            "ended_on",
            "end_reason",
            "assigned_by",
            "rule_key",
            "rule_version",
            "sessions",
        ]

    def get_sessions(self, obj: VolunteerAssignment) -> int:
        count = getattr(obj, "session_count", None)
        return int(count) if count is not None else obj.sessions.count()


class AssignInputSerializer(serializers.Serializer[dict[str, Any]]):
    volunteer = IntegerField(min_value=1, max_value=MAX_ID)
    consent_on = serializers.DateField(help_text="The day the person (for a minor, also the representative) consented")
    consent_note = serializers.CharField(max_length=500, help_text="How consent was given, e.g. a signed statement")
    started_on = serializers.DateField()


class SessionInputSerializer(serializers.Serializer[dict[str, Any]]):
    held_on = serializers.DateField()
    minutes = IntegerField(min_value=1, max_value=720)
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=4000)


class EndInputSerializer(serializers.Serializer[dict[str, Any]]):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)

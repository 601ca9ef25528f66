"""API shapes of the employment endpoints (explicit fields). Inputs take numbers as text or
numbers: the services read them and answer clearly what is wrong."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.employment.models import (
    EmploymentReferral,
    EmploymentStatusChange,
    EndReason,
    JobQuota,
    JobRefusal,
    Placement,
    Vacancy,
    VacancyStatus,
)
from openprobation.people.models import Employment


def _id(**options: Any) -> serializers.IntegerField:
    """A record id: a positive whole number (anything else is a clear 400)."""
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, **options)


class EmployerRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QuotaUsageSerializer(serializers.Serializer[Any]):
    places = serializers.IntegerField()
    used = serializers.IntegerField()
    ended_early = serializers.IntegerField()
    free = serializers.IntegerField()
    over = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class QuotaSerializer(serializers.ModelSerializer[JobQuota]):
    employer = EmployerRefSerializer(read_only=True)

    class Meta:
        model = JobQuota
        fields = ["id", "employer", "office", "year", "places", "decision_number", "decision_date", "note"]


class QuotaRowSerializer(serializers.Serializer[Any]):
    quota = QuotaSerializer()
    usage = QuotaUsageSerializer()


class QuotaListSerializer(serializers.Serializer[Any]):
    office = serializers.IntegerField()
    year = serializers.IntegerField()
    quotas = QuotaRowSerializer(many=True)


class EmploymentYearQuerySerializer(serializers.Serializer[dict[str, Any]]):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class QuotaInputSerializer(serializers.Serializer[dict[str, Any]]):
    employer = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    places = serializers.IntegerField(min_value=0, max_value=100_000)
    decision_number = serializers.CharField(max_length=100)
    decision_date = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VacancySerializer(serializers.ModelSerializer[Vacancy]):
    employer = EmployerRefSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, filled or closed")

    class Meta:
        model = Vacancy
        fields = [
            "id",
            "employer",
            "office",
            "title",
            "places",
            "wage",
            "requirements",
            "opened_on",
            "closed_on",
            "counts_toward_quota",
            "status",
        ]


class VacancyQuerySerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.CharField(max_length=8, required=False, help_text="open, filled or closed (all when absent)")


class VacancyInputSerializer(serializers.Serializer[dict[str, Any]]):
    employer = _id()
    title = serializers.CharField(max_length=300)
    places = serializers.IntegerField(min_value=1, max_value=100_000, required=False, default=1)
    wage = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=1, required=False, allow_null=True, default=None
    )
    requirements = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    opened_on = serializers.DateField()
    counts_toward_quota = serializers.BooleanField(required=False, default=True)


class VacancyCloseInputSerializer(serializers.Serializer[dict[str, Any]]):
    outcome = serializers.ChoiceField(choices=[VacancyStatus.FILLED, VacancyStatus.CLOSED])
    on = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmploymentDistrictRowSerializer(serializers.Serializer[Any]):
    office_id = serializers.IntegerField()
    office = serializers.CharField()
    needing_work = serializers.IntegerField()
    referred = serializers.IntegerField()
    placed = serializers.IntegerField()
    refusals = serializers.IntegerField()
    refusals_good_reason = serializers.IntegerField()
    refusals_without_good_reason = serializers.IntegerField()
    quota_places = serializers.IntegerField()
    quota_used = serializers.IntegerField()
    quota_percent = serializers.IntegerField(allow_null=True)


class EmploymentFiguresSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    districts = EmploymentDistrictRowSerializer(many=True)
    total = EmploymentDistrictRowSerializer()


# --- A case's records ----------------------------------------------------------------------------------


class EmploymentReferralSerializer(serializers.ModelSerializer[EmploymentReferral]):
    centre = EmployerRefSerializer(read_only=True)
    employer = EmployerRefSerializer(read_only=True)
    status = serializers.CharField(read_only=True, help_text="issued, placed, refused or expired")

    class Meta:
        model = EmploymentReferral
        fields = ["id", "centre", "employer", "vacancy", "number", "issued_on", "status", "status_on", "note"]


class JobPlacementSerializer(serializers.ModelSerializer[Placement]):
    employer = EmployerRefSerializer(read_only=True)

    class Meta:
        model = Placement
        fields = [
            "id",
            "employer",
            "vacancy",
            "quota",
            "referral",
            "position",
            "started_on",
            "ended_on",
            "end_reason",
            "end_note",
            "outside_quota",
        ]


class JobRefusalSerializer(serializers.ModelSerializer[JobRefusal]):
    employer = EmployerRefSerializer(read_only=True)

    class Meta:
        model = JobRefusal
        fields = ["id", "referral", "vacancy", "employer", "refused_on", "reason", "good_reason", "labour_offer_id"]


class EmploymentStatusChangeSerializer(serializers.ModelSerializer[EmploymentStatusChange]):
    employment_status = serializers.CharField(source="status", read_only=True)
    # Declared fields leave the class body (DRF's metaclass), so this does not hide ``Field.source``.
    source = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="placement, ended, refusal or manual"
    )

    class Meta:
        model = EmploymentStatusChange
        fields = ["id", "employment_status", "since", "source", "note", "case", "placement", "refusal"]


class CaseEmploymentSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(source="case.pk")
    employment_status = serializers.CharField(source="case.person.employment_status")
    history = EmploymentStatusChangeSerializer(many=True)
    referrals = EmploymentReferralSerializer(many=True)
    placements = JobPlacementSerializer(many=True)
    refusals = JobRefusalSerializer(many=True)


class EmploymentReferralInputSerializer(serializers.Serializer[dict[str, Any]]):
    centre = _id()
    vacancy = _id(required=False, allow_null=True, default=None)
    employer = _id(required=False, allow_null=True, default=None)
    number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmploymentReferralExpireInputSerializer(serializers.Serializer[dict[str, Any]]):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class JobPlacementInputSerializer(serializers.Serializer[dict[str, Any]]):
    referral = _id(required=False, allow_null=True, default=None)
    vacancy = _id(required=False, allow_null=True, default=None)
    employer = _id(required=False, allow_null=True, default=None)
    position = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    outside_quota = serializers.BooleanField(required=False, default=False)


class JobPlacementEndInputSerializer(serializers.Serializer[dict[str, Any]]):
    ended_on = serializers.DateField()
    end_reason = serializers.ChoiceField(choices=EndReason.choices)
    end_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class JobRefusalInputSerializer(serializers.Serializer[dict[str, Any]]):
    referral = _id(required=False, allow_null=True, default=None)
    vacancy = _id(required=False, allow_null=True, default=None)
    employer = _id(required=False, allow_null=True, default=None)
    refused_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    good_reason = serializers.BooleanField()


class EmploymentStatusInputSerializer(serializers.Serializer[dict[str, Any]]):
    employment_status = serializers.ChoiceField(choices=Employment.choices)
    since = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

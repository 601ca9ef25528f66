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


class OrganisationRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UsageSerializer(serializers.Serializer[Any]):
    places = serializers.IntegerField()
    used = serializers.IntegerField()
    ended_early = serializers.IntegerField()
    free = serializers.IntegerField()
    over = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class QuotaSerializer(serializers.ModelSerializer[JobQuota]):
    employer = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = JobQuota
        fields = ["id", "employer", "office", "year", "places", "decision_number", "decision_date", "note"]


class QuotaRowSerializer(serializers.Serializer[Any]):
    quota = QuotaSerializer()
    usage = UsageSerializer()


class QuotaListSerializer(serializers.Serializer[Any]):
    office = serializers.IntegerField()
    year = serializers.IntegerField()
    quotas = QuotaRowSerializer(many=True)


class YearQuerySerializer(serializers.Serializer[dict[str, Any]]):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class QuotaInputSerializer(serializers.Serializer[dict[str, Any]]):
    employer = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    places = serializers.IntegerField(min_value=0, max_value=100_000)
    decision_number = serializers.CharField(max_length=100)
    decision_date = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VacancySerializer(serializers.ModelSerializer[Vacancy]):
    employer = OrganisationRefSerializer(read_only=True)

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
    status = serializers.ChoiceField(choices=VacancyStatus.choices, required=False)


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
    status = serializers.ChoiceField(choices=[VacancyStatus.FILLED, VacancyStatus.CLOSED])
    on = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FiguresRowSerializer(serializers.Serializer[Any]):
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


class FiguresSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    districts = FiguresRowSerializer(many=True)
    total = FiguresRowSerializer()


# --- A case's records ----------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer[EmploymentReferral]):
    centre = OrganisationRefSerializer(read_only=True)
    employer = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = EmploymentReferral
        fields = ["id", "centre", "employer", "vacancy", "number", "issued_on", "status", "status_on", "note"]


class PlacementSerializer(serializers.ModelSerializer[Placement]):
    employer = OrganisationRefSerializer(read_only=True)

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


class RefusalSerializer(serializers.ModelSerializer[JobRefusal]):
    employer = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = JobRefusal
        fields = ["id", "referral", "vacancy", "employer", "refused_on", "reason", "good_reason", "labour_offer_id"]


class StatusChangeSerializer(serializers.ModelSerializer[EmploymentStatusChange]):
    class Meta:
        model = EmploymentStatusChange
        fields = ["id", "status", "since", "source", "note", "case", "placement", "refusal"]


class CaseEmploymentSerializer(serializers.Serializer[Any]):
    case = serializers.IntegerField(source="case.pk")
    employment_status = serializers.CharField(source="case.person.employment_status")
    history = StatusChangeSerializer(many=True)
    referrals = ReferralSerializer(many=True)
    placements = PlacementSerializer(many=True)
    refusals = RefusalSerializer(many=True)


class ReferralInputSerializer(serializers.Serializer[dict[str, Any]]):
    centre = _id()
    vacancy = _id(required=False, allow_null=True, default=None)
    employer = _id(required=False, allow_null=True, default=None)
    number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    issued_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReferralExpireInputSerializer(serializers.Serializer[dict[str, Any]]):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PlacementInputSerializer(serializers.Serializer[dict[str, Any]]):
    referral = _id(required=False, allow_null=True, default=None)
    vacancy = _id(required=False, allow_null=True, default=None)
    employer = _id(required=False, allow_null=True, default=None)
    position = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    outside_quota = serializers.BooleanField(required=False, default=False)


class PlacementEndInputSerializer(serializers.Serializer[dict[str, Any]]):
    ended_on = serializers.DateField()
    end_reason = serializers.ChoiceField(choices=EndReason.choices)
    end_note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RefusalInputSerializer(serializers.Serializer[dict[str, Any]]):
    referral = _id(required=False, allow_null=True, default=None)
    vacancy = _id(required=False, allow_null=True, default=None)
    employer = _id(required=False, allow_null=True, default=None)
    refused_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    good_reason = serializers.BooleanField()


class StatusInputSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=Employment.choices)
    since = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

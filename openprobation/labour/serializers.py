"""API shapes of the labour endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.labour.models import (
    DutyStatus,
    EmploymentDuty,
    ForcedLabourDecision,
    JobOffer,
    JobReferral,
    LabourHours,
    OfferAnswer,
    ReferralKind,
)


class HoursSerializer(serializers.ModelSerializer[LabourHours]):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = LabourHours
        fields = ["id", "worked_on", "hours", "organisation", "recorded_by", "note", "created_at"]


class HoursInputSerializer(serializers.Serializer[dict[str, Any]]):
    worked_on = serializers.DateField()
    # Text: the service parses it and says what is wrong (a number like 3.5; "1e9" is refused).
    hours = serializers.CharField(max_length=16, help_text="Hours worked that day, e.g. 4 or 3.5")
    organisation = serializers.CharField(max_length=300)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class HoursQuerySerializer(serializers.Serializer[dict[str, Any]]):
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, default=1)


class ReferralSerializer(serializers.ModelSerializer[JobReferral]):
    issued_by = serializers.CharField(source="issued_by.username", read_only=True)

    class Meta:
        model = JobReferral
        fields = ["id", "kind", "organisation", "issued_on", "issued_by", "note"]


class ReferralInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=ReferralKind.choices)
    organisation = serializers.CharField(max_length=300)
    issued_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OfferSerializer(serializers.ModelSerializer[JobOffer]):
    class Meta:
        model = JobOffer
        fields = ["id", "referral", "employer", "position", "offered_on", "answer", "answer_reason", "answered_on"]


class OfferInputSerializer(serializers.Serializer[dict[str, Any]]):
    employer = serializers.CharField(max_length=300)
    position = serializers.CharField(max_length=300)
    offered_on = serializers.DateField()
    referral = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True, default=None)


class AnswerInputSerializer(serializers.Serializer[dict[str, Any]]):
    answer = serializers.ChoiceField(choices=[c for c in OfferAnswer.choices if c[0]])
    answered_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class EmploymentDutySerializer(serializers.ModelSerializer[EmploymentDuty]):
    referrals = ReferralSerializer(many=True, read_only=True)
    offers = OfferSerializer(many=True, read_only=True)
    deadline_passed = serializers.SerializerMethodField()

    class Meta:
        model = EmploymentDuty
        fields = [
            "id",
            "deadline",
            "deadline_passed",
            "status",
            "status_on",
            "employer",
            "note",
            "rule_key",
            "rule_version",
            "referrals",
            "offers",
        ]

    def get_deadline_passed(self, obj: EmploymentDuty) -> bool:
        from openprobation.labour.domain import employment_deadline_passed  # noqa: PLC0415

        return employment_deadline_passed(deadline=obj.deadline, today=self.context["today"])


class EmploymentInputSerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(choices=DutyStatus.choices)
    on = serializers.DateField()
    employer = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.ModelSerializer[ForcedLabourDecision]):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)

    class Meta:
        model = ForcedLabourDecision
        fields = ["id", "judged_on", "applies", "exemptions", "reason", "rule_key", "rule_version", "decided_by"]


class RejudgeInputSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=2000)


class ForcedLabourStatusSerializer(serializers.Serializer[Any]):
    """Forced labour this sentence year (``applies`` false: exempt; nothing owed)."""

    applies = serializers.BooleanField()
    exemptions = serializers.ListField(child=serializers.CharField())
    year_number = serializers.IntegerField(source="year.number")
    year_start = serializers.DateField(source="year.start")
    year_end = serializers.DateField(source="year.end")
    hours_per_year = serializers.IntegerField()
    max_hours_per_day = serializers.IntegerField()
    owed_this_year = serializers.DecimalField(source="figures.owed_this_year", max_digits=8, decimal_places=2)
    done_this_year = serializers.DecimalField(source="figures.done_this_year", max_digits=8, decimal_places=2)
    expected_pro_rata = serializers.DecimalField(source="figures.expected_pro_rata", max_digits=8, decimal_places=2)
    shortfall = serializers.DecimalField(source="figures.shortfall", max_digits=8, decimal_places=2)
    behind = serializers.BooleanField(source="figures.behind")
    rejudge_due = serializers.BooleanField()
    source = serializers.CharField()  # type: ignore[assignment]
    decision = DecisionSerializer(allow_null=True)


class ForcedLabourAnswerSerializer(serializers.Serializer[Any]):
    """``forced_labour`` is null for a case without forced labour (not restriction of liberty)."""

    case = serializers.IntegerField()
    on = serializers.DateField()
    forced_labour = ForcedLabourStatusSerializer(allow_null=True)


class HoursPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = HoursSerializer(many=True)


class EmploymentAnswerSerializer(serializers.Serializer[Any]):
    """``duty`` is null while no duty to work or study is tracked for the case."""

    case = serializers.IntegerField()
    duty = EmploymentDutySerializer(allow_null=True)

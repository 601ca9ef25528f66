"""API shapes of the programme endpoints (explicit fields)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from openprobation.programmes.catalogue import Measure, NeedDomain
from openprobation.programmes.models import (
    Goal,
    MeasureStatus,
    ParticipantKind,
    Programme,
    ProgrammeMeasure,
    ProgrammeParticipant,
    ProgrammeVersion,
    Referral,
)

MAX_ID = 2**63 - 1


class GoalSerializer(serializers.ModelSerializer[Goal]):
    class Meta:
        model = Goal
        fields = ["id", "domain", "text", "assessed_points", "achieved"]


class MeasureReferralSerializer(serializers.ModelSerializer[Referral]):
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="The referral's status (see the referral endpoints)")

    class Meta:
        model = Referral
        fields = ["id", "number", "organisation", "status", "answer_due", "complete_due", "outcome"]


class MeasureSerializer(serializers.ModelSerializer[ProgrammeMeasure]):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True, default=None)
    referrals = MeasureReferralSerializer(many=True, read_only=True)

    class Meta:
        model = ProgrammeMeasure
        fields = [
            "id",
            "measure",
            "goal",
            "description",
            "organisation",
            "organisation_name",
            "due_on",
            "status",
            "outcome",
            "outcome_on",
            "referrals",
        ]


class ParticipantSerializer(serializers.ModelSerializer[ProgrammeParticipant]):
    class Meta:
        model = ProgrammeParticipant
        fields = ["id", "kind", "name", "family_member", "organisation", "invited_on", "copy_notices", "phone", "email"]


class ChangeSerializer(serializers.Serializer[Any]):
    what = serializers.ChoiceField(choices=["goal", "measure"])
    id = serializers.IntegerField()
    code = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    fields = serializers.DictField(child=serializers.ListField(child=serializers.JSONField()))  # type: ignore[assignment]


class VersionSerializer(serializers.ModelSerializer[ProgrammeVersion]):
    changes = ChangeSerializer(many=True, read_only=True)

    class Meta:
        model = ProgrammeVersion
        fields = ["id", "number", "agreement", "agreement_on", "agreement_note", "changes", "created_at"]


class VersionDetailSerializer(VersionSerializer):
    content = serializers.JSONField(read_only=True)

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content"]


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    goals = serializers.SerializerMethodField()
    measures = serializers.SerializerMethodField()
    participants = ParticipantSerializer(many=True, read_only=True)
    pending_changes = serializers.SerializerMethodField()
    missing_participants = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id",
            "status",
            "version",
            "basis",
            "needs_assessment_id",
            "study",
            "opened_on",
            "agreement_on",
            "agreement_note",
            "next_review_on",
            "review_rule_key",
            "review_rule_version",
            "closed_on",
            "goals",
            "measures",
            "participants",
            "pending_changes",
            "missing_participants",
        ]

    def get_goals(self, obj: Programme) -> list[dict[str, Any]]:
        return list(GoalSerializer(obj.goals.filter(removed=False).order_by("id"), many=True).data)

    def get_measures(self, obj: Programme) -> list[dict[str, Any]]:
        rows = obj.measures.select_related("organisation").prefetch_related("referrals__organisation")
        return list(MeasureSerializer(rows, many=True).data)

    def get_pending_changes(self, obj: Programme) -> list[dict[str, Any]]:
        from openprobation.programmes.selectors import pending_changes  # noqa: PLC0415

        return pending_changes(obj)

    def get_missing_participants(self, obj: Programme) -> list[str]:
        from openprobation.programmes.participants import missing_participants  # noqa: PLC0415

        return missing_participants(obj, on=self.context["today"])


class ProgrammeAnswerSerializer(serializers.Serializer[Any]):
    """``programme`` is null while the person has none under this case."""

    case = serializers.IntegerField()
    minor = serializers.BooleanField()
    programme = ProgrammeSerializer(allow_null=True)


# --- Inputs -------------------------------------------------------------------------------------------


class GoalInputSerializer(serializers.Serializer[dict[str, Any]]):
    domain = serializers.ChoiceField(choices=NeedDomain.choices)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OpenMeasureSerializer(serializers.Serializer[dict[str, Any]]):
    measure = serializers.ChoiceField(choices=Measure.choices)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    organisation = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    goal = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
        help_text="The index of the goal in ``goals`` (none: the first goal the measure answers)",
    )


class OpenInputSerializer(serializers.Serializer[dict[str, Any]]):
    study = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    goals = GoalInputSerializer(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text="Omitted: one goal per need the latest needs assessment rated above zero",
    )
    measures = OpenMeasureSerializer(many=True, required=False, default=list)

    def validate_goals(self, value: Any) -> Any:
        if value is not None and len(value) > 20:
            raise serializers.ValidationError(_("At most 20 goals."))
        return value

    def validate_measures(self, value: Any) -> Any:
        if len(value) > 50:
            raise serializers.ValidationError(_("At most 50 measures."))
        return value


class GoalChangeInputSerializer(serializers.Serializer[dict[str, Any]]):
    text = serializers.CharField(max_length=2000, required=False)
    achieved = serializers.BooleanField(required=False)
    remove = serializers.BooleanField(required=False, default=False)


class MeasureInputSerializer(serializers.Serializer[dict[str, Any]]):
    measure = serializers.ChoiceField(choices=Measure.choices)
    due_on = serializers.DateField()
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    organisation = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    goal = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)


class MeasurePatchSerializer(serializers.Serializer[dict[str, Any]]):
    """Content fields change the programme (a new version once answered); ``status`` with
    ``outcome`` records progress. Give one kind or the other."""

    measure = serializers.ChoiceField(choices=Measure.choices, required=False)
    due_on = serializers.DateField(required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    organisation = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    goal = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=MeasureStatus.choices, required=False)
    outcome = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    outcome_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        progress = {"status", "outcome", "outcome_on"} & set(attrs)
        content = set(attrs) - {"status", "outcome", "outcome_on"}
        if progress and content:
            raise serializers.ValidationError(_("Change the measure or record its progress, not both at once."))
        if not attrs:
            raise serializers.ValidationError(_("Nothing to change."))
        if progress and "status" not in attrs:
            raise serializers.ValidationError({"status": [_("This field is required.")]})
        return attrs


class AgreementInputSerializer(serializers.Serializer[dict[str, Any]]):
    agreed = serializers.BooleanField()
    on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    representative = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReviewInputSerializer(serializers.Serializer[dict[str, Any]]):
    on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CloseInputSerializer(serializers.Serializer[dict[str, Any]]):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ParticipantInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=ParticipantKind.choices)
    family_member = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    organisation = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None
    )
    name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    invited_on = serializers.DateField(required=False, allow_null=True, default=None)
    # Left out: a parent or guardian is copied as the rule programmes.minors says, anyone else is.
    copy_notices = serializers.BooleanField(required=False, allow_null=True, default=None)


class CopiesSerializer(serializers.Serializer[Any]):
    queued = serializers.IntegerField(help_text="Copies queued now (none twice for the same version)")


# --- Capacity --------------------------------------------------------------------------------------


class CapacityDomainSerializer(serializers.Serializer[Any]):
    domain = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    people = serializers.IntegerField()


class CapacityMeasureSerializer(serializers.Serializer[Any]):
    measure = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    people_in_need = serializers.IntegerField()
    planned = serializers.IntegerField()
    waiting = serializers.IntegerField()
    waiting_late = serializers.IntegerField()
    answered_in_time = serializers.IntegerField()
    answered_late = serializers.IntegerField()
    places = serializers.DecimalField(max_digits=10, decimal_places=1, help_text="Places a month")
    organisations = serializers.IntegerField()
    places_unknown = serializers.IntegerField()
    gap = serializers.DecimalField(max_digits=10, decimal_places=1)
    short = serializers.BooleanField()


class CapacityOfficeSerializer(serializers.Serializer[Any]):
    office_id = serializers.IntegerField()
    office = serializers.CharField()
    open_cases = serializers.IntegerField()
    people_assessed = serializers.IntegerField()
    short_measures = serializers.IntegerField()
    domains = CapacityDomainSerializer(many=True)
    measures = CapacityMeasureSerializer(many=True)


class CapacitySerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    aggregate_only = serializers.BooleanField()
    offices = CapacityOfficeSerializer(many=True)

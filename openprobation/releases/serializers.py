"""API shapes of the release-plan endpoints."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from openprobation.releases.models import HandoverKind, ItemStatus, PlanStatus, ReleasePlan, ReleasePlanItem

MAX_TERM_MONTHS = 600
MAX_ID = 2**31 - 1


class AsciiIntegerField(serializers.IntegerField):
    """A whole number written with the digits 0-9 (a JSON number, or text of those digits only):
    other scripts' digits such as "١٢" are refused with a clear message, not read as 12."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or (
            isinstance(data, str) and not (data.strip().isascii() and data.strip().isdigit())
        ):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class ReleaseItemSerializer(serializers.ModelSerializer[ReleasePlanItem]):
    # Text here: the item statuses are one enum of the schema, named after the input that takes them.
    status = serializers.CharField(read_only=True, help_text="open, in_progress, done or not_needed")
    area_label = serializers.CharField(source="get_area_display", read_only=True)
    owner = serializers.CharField(source="owner_text", read_only=True)

    class Meta:
        model = ReleasePlanItem
        fields = [
            "id",
            "area",
            "area_label",
            "status",
            "owner",
            "owner_name",
            "owner_organisation",
            "owner_user",
            "due_on",
            "note",
            "updated_at",
        ]


class ReleaseOpenItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="item_id")
    area = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()


class ReleaseReadinessSerializer(serializers.Serializer[Any]):
    on = serializers.DateField()
    done = serializers.IntegerField()
    needed = serializers.IntegerField()
    percent = serializers.IntegerField()
    days_to_release = serializers.IntegerField()
    level = serializers.ChoiceField(choices=["ready", "on_track", "at_risk", "not_ready"])
    level_label = serializers.CharField()
    open_items = ReleaseOpenItemSerializer(many=True)


class ReleasePlanSerializer(serializers.ModelSerializer[ReleasePlan]):
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    office = serializers.IntegerField(source="office_id", read_only=True)
    receiving_office = serializers.IntegerField(source="receiving_office_id", read_only=True, allow_null=True)
    handed_over_case = serializers.IntegerField(source="handed_over_case_id", read_only=True, allow_null=True)
    items = ReleaseItemSerializer(many=True, read_only=True)
    readiness = serializers.SerializerMethodField()

    class Meta:
        model = ReleasePlan
        fields = [
            "id",
            "case",
            "case_number",
            "person",
            "person_name",
            "office",
            "status",
            "release_date",
            "opens_on",
            "rule_key",
            "rule_version",
            "receiving_office",
            "handover_kind",
            "decision_court",
            "decision_number",
            "decision_date",
            "decision_effective_date",
            "term_months",
            "term_days",
            "notice_due_on",
            "notified_at",
            "handed_over_case",
            "handed_over_at",
            "released_on",
            "cancel_reason",
            "items",
            "readiness",
        ]

    @extend_schema_field(ReleaseReadinessSerializer(allow_null=True))
    def get_readiness(self, plan: ReleasePlan) -> dict[str, Any] | None:
        readiness = self.context.get("readiness", {}).get(plan.pk)
        return dict(ReleaseReadinessSerializer(readiness).data) if readiness is not None else None


class ReleasePlanAnswerSerializer(serializers.Serializer[Any]):
    """The plan of a case as the reader may see it: None before one is opened."""

    case = serializers.IntegerField()
    receiving = serializers.BooleanField(help_text="True when read as the receiving office (read-only).")
    may_change = serializers.BooleanField()
    plan = ReleasePlanSerializer(allow_null=True)


class ReleasePlanListQuerySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False, default=PlanStatus.OPEN)
    arriving = serializers.BooleanField(
        required=False, default=False, help_text="Plans of people arriving in your jurisdiction instead."
    )


class ReleaseItemInputSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    owner_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    owner_organisation = AsciiIntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )
    owner_user = AsciiIntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReleaseHandoverDetailsInputSerializer(serializers.Serializer[Any]):
    receiving_office = AsciiIntegerField(min_value=1, max_value=MAX_ID)
    handover_kind = serializers.ChoiceField(choices=HandoverKind.choices)
    decision_court = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    decision_effective_date = serializers.DateField(required=False, allow_null=True, default=None)
    term_months = AsciiIntegerField(
        min_value=0, max_value=MAX_TERM_MONTHS, required=False, allow_null=True, default=None
    )
    term_days = AsciiIntegerField(min_value=0, max_value=31, required=False, default=0)


class ReleaseHandoverInputSerializer(serializers.Serializer[Any]):
    released_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")


class ReleaseCancelInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class ReleaseHandoverAnswerSerializer(serializers.Serializer[Any]):
    plan = ReleasePlanSerializer()
    new_case = serializers.IntegerField()
    new_case_number = serializers.CharField()

"""API shapes of partner organisations, referrals and the partner portal (explicit fields)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from openprobation.people.models import Language
from openprobation.programmes.catalogue import CapacityPeriod, Measure, OrganisationKind
from openprobation.programmes.models import PartnerOrganisation, Referral, ReferralEvent, ReferralStatus
from openprobation.programmes.organisations import MAX_CAPACITY
from openprobation.programmes.referral_services import MAX_NOTE, MAX_REQUEST, PARTNER_ACTIONS

# --- Organisations ------------------------------------------------------------------------------------


class PartnerOrganisationSerializer(serializers.ModelSerializer[PartnerOrganisation]):
    districts = serializers.SerializerMethodField()
    services = serializers.ListField(child=serializers.CharField(), read_only=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = PartnerOrganisation
        fields = [
            "id",
            "name",
            "name_kk",
            "kind",
            "bin",
            "region",
            "districts",
            "services",
            "capacity",
            "capacity_period",
            "contact_person",
            "phone",
            "email",
            "address",
            "languages",
            "active",
        ]
        read_only_fields = fields

    def get_districts(self, obj: PartnerOrganisation) -> list[int]:
        return sorted(o.pk for o in obj.districts.all())


class PartnerOrganisationInputSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=300)
    name_kk = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    bin = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    districts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, default=list, max_length=200
    )
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Measure.choices), required=False, default=list, max_length=50
    )
    capacity = serializers.IntegerField(
        min_value=0, max_value=MAX_CAPACITY, required=False, allow_null=True, default=None
    )
    capacity_period = serializers.ChoiceField(choices=CapacityPeriod.choices, required=False, default="month")
    contact_person = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=Language.choices), required=False, default=list, max_length=3
    )
    active = serializers.BooleanField(required=False, default=True)


class PartnerOrganisationPatchSerializer(PartnerOrganisationInputSerializer):
    """Every field optional: what is given replaces the stored value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class PartnerOrganisationQuerySerializer(serializers.Serializer[dict[str, Any]]):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False, allow_blank=True, default="")
    district = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None)
    measure = serializers.ChoiceField(choices=Measure.choices, required=False, allow_blank=True, default="")
    active = serializers.ChoiceField(
        choices=[("yes", "yes"), ("no", "no"), ("all", "all")], required=False, default="yes"
    )


# --- Referrals (the office's side) ------------------------------------------------------------------------


class AssistanceReferralEventSerializer(serializers.ModelSerializer[ReferralEvent]):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = ReferralEvent
        fields = ["kind", "from_status", "to_status", "note", "actor", "at"]
        read_only_fields = fields


class AssistanceReferralSerializer(serializers.ModelSerializer[Referral]):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    measure_code = serializers.CharField(source="measure.measure", read_only=True)
    overdue = serializers.SerializerMethodField()
    escalated = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "number",
            "case",
            "measure",
            "measure_code",
            "organisation",
            "organisation_name",
            "status",
            "request",
            "share_phone",
            "sent_at",
            "answer_due",
            "complete_due",
            "rule_key",
            "rule_version",
            "answered_at",
            "decline_reason",
            "outcome",
            "outcome_achieved",
            "completed_at",
            "overdue",
            "escalated",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Referral) -> bool:
        from openprobation.programmes.referral_services import is_overdue  # noqa: PLC0415

        return is_overdue(obj, self.context["today"])

    def get_escalated(self, obj: Referral) -> bool:
        return obj.escalated_at is not None


class AssistanceReferralDetailSerializer(AssistanceReferralSerializer):
    events = AssistanceReferralEventSerializer(many=True, read_only=True)

    class Meta(AssistanceReferralSerializer.Meta):
        fields = [*AssistanceReferralSerializer.Meta.fields, "events"]
        read_only_fields = fields


class AssistanceReferralInputSerializer(serializers.Serializer[dict[str, Any]]):
    measure = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    organisation = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    request = serializers.CharField(max_length=MAX_REQUEST)
    share_phone = serializers.BooleanField(required=False, default=False)
    complete_due = serializers.DateField(required=False, allow_null=True, default=None)
    send = serializers.BooleanField(required=False, default=False, help_text="Send at once (otherwise a draft).")


class AssistanceReferralTransitionSerializer(serializers.Serializer[dict[str, Any]]):
    to_status = serializers.ChoiceField(
        choices=[(ReferralStatus.SENT, "sent"), (ReferralStatus.CANCELLED, "cancelled")]
    )
    reason = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    complete_due = serializers.DateField(required=False, allow_null=True, default=None)


class AssistanceReferralQuerySerializer(serializers.Serializer[dict[str, Any]]):
    view = serializers.ChoiceField(
        choices=[(v, v) for v in ("open", "waiting", "overdue", "all")], required=False, default="open"
    )
    mine = serializers.BooleanField(required=False, default=False)


# --- The partner portal -------------------------------------------------------------------------------------


class PortalEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()


class PortalReferralSerializer(serializers.Serializer[Any]):
    """Only what the partner needs: never the IIN, the case, offences, risk or violations."""

    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    measure = serializers.CharField()
    measure_label = serializers.CharField()
    person_name = serializers.CharField()
    birth_year = serializers.IntegerField()
    language = serializers.CharField()
    phone = serializers.CharField(help_text="Only when the office shared it; empty otherwise.")
    request = serializers.CharField()
    sent_on = serializers.DateField(allow_null=True)
    answer_due = serializers.DateField(allow_null=True)
    complete_due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    office_name = serializers.CharField()
    office_phone = serializers.CharField()
    office_address = serializers.CharField()
    officer_name = serializers.CharField()
    decline_reason = serializers.CharField()
    outcome = serializers.CharField()
    outcome_achieved = serializers.BooleanField(allow_null=True)


class PortalReferralDetailSerializer(PortalReferralSerializer):
    events = PortalEventSerializer(many=True)


class PortalActionSerializer(serializers.Serializer[dict[str, Any]]):
    action = serializers.ChoiceField(choices=[(k, k) for k in PARTNER_ACTIONS])
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    achieved = serializers.BooleanField(required=False, allow_null=True, default=None)


class PortalQuerySerializer(serializers.Serializer[dict[str, Any]]):
    view = serializers.ChoiceField(
        choices=[(v, v) for v in ("open", "waiting", "overdue", "all")], required=False, default="open"
    )

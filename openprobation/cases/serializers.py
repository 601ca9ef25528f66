"""Shapes of cases in the API. Input serializers check types and choices only; the legal rules
(terms, eligibility, the status pipeline) belong to ``cases.services`` and ``cases.legal``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from openprobation.accounts.scoping import CaseAction, may
from openprobation.accounts.serializers import OfficeRefSerializer, StaffRefSerializer
from openprobation.cases import legal
from openprobation.cases.lifecycle import allowed_moves
from openprobation.cases.models import (
    Case,
    CaseStatus,
    CaseType,
    CourtDecision,
    DecisionKind,
    RestraintMeasure,
    SentenceKind,
)
from openprobation.cases.overview import CaseOverview, case_overview
from openprobation.cases.selectors import SORTS
from openprobation.cases.terms import case_forced_labour, current_terms, registration_overdue, registration_state
from openprobation.core.caseload import caseload_columns
from openprobation.core.timeutil import local_today


class PersonRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    iin = serializers.CharField(allow_null=True)
    full_name = serializers.CharField()
    birth_date = serializers.DateField()


class CaseSummarySerializer(serializers.ModelSerializer[Case]):
    person = PersonRefSerializer(read_only=True)
    office = OfficeRefSerializer(read_only=True)
    officer = StaffRefSerializer(read_only=True, allow_null=True)
    case_type_label = serializers.CharField(source="get_case_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    registration_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "case_type",
            "case_type_label",
            "status",
            "status_label",
            "person",
            "office",
            "officer",
            "received_on",
            "registration_due",
            "registration_overdue",
            "control_start",
            "control_end",
        ]
        read_only_fields = fields

    def get_registration_overdue(self, case: Case) -> bool:
        return registration_overdue(case, today=local_today())


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class ColumnDateField(serializers.Field):
    """A registered caseload column's date (a date-time is given as its local day)."""

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        return value.isoformat() if isinstance(value, dt.date) else None


@extend_schema_field({"type": "integer", "nullable": True})
class ColumnCountField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return int(value) if value is not None else None


@extend_schema_field({"type": "string", "nullable": True})
class ColumnTextField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return None if value is None else str(value)


_COLUMN_FIELDS = {"date": ColumnDateField, "count": ColumnCountField}


class CaseloadRowSerializer(CaseSummarySerializer):
    """A row of the case list: the summary and every column the apps above register
    (``core.caseload``: next appointment, open violations), by the column's name."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for column in caseload_columns():
            field_class = _COLUMN_FIELDS.get(column.kind, ColumnTextField)
            fields[column.name] = field_class(read_only=True, default=None, help_text=str(column.label))
        return fields


class EligibilitySerializer(serializers.Serializer[dict[str, Any]]):
    eligible = serializers.BooleanField()
    rule_key = serializers.CharField()
    rule_version = serializers.IntegerField()
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.source
    reasons = serializers.ListField(child=serializers.DictField())
    explanation = serializers.ListField(child=serializers.CharField(), help_text="The reasons as sentences.")


class ForcedLabourSerializer(serializers.Serializer[dict[str, Any]]):
    applies = serializers.BooleanField()
    hours_per_year = serializers.IntegerField()
    max_hours_per_day = serializers.IntegerField()
    exemptions = serializers.ListField(child=serializers.CharField())
    judged_on = serializers.DateField(help_text="The one date applicability is judged on.")
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.source


class RegistrationSerializer(serializers.Serializer[dict[str, Any]]):
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    appear_by = serializers.DateField(allow_null=True, help_text="Released on deferral: the last day to appear.")
    search_due = serializers.BooleanField(help_text="Search measures and materials to court are due (PEC art. 163).")
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.source


class CourtDecisionSerializer(serializers.ModelSerializer[CourtDecision]):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    # Declared so the schema lists "" (no new punishment) beside the choices: a read-only model
    # field loses ``allow_blank``.
    new_sentence_kind = serializers.ChoiceField(choices=SentenceKind.choices, allow_blank=True, read_only=True)
    # Null for a decision brought in without a recording officer (the model allows it).
    recorded_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = CourtDecision
        fields = [
            "id",
            "kind",
            "kind_label",
            "court",
            "number",
            "decision_date",
            "effective_date",
            "extension_months",
            "new_control_end",
            "new_sentence_kind",
            "new_term_months",
            "duties_added",
            "duties_removed",
            "note",
            "recorded_at",
            "recorded_by",
        ]
        read_only_fields = fields


class TermsSerializer(serializers.Serializer[dict[str, Any]]):
    sentence_kind = serializers.CharField(help_text="The punishment now, after any replacement.")
    control_start = serializers.DateField(allow_null=True)
    control_end = serializers.DateField(allow_null=True)
    ordered_control_end = serializers.DateField(allow_null=True, help_text="As the original decision set it.")
    days_left = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.source
    decisions = CourtDecisionSerializer(many=True)


class MoveSerializer(serializers.Serializer[dict[str, str]]):
    status = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label


class CasePermissionsSerializer(serializers.Serializer[dict[str, bool]]):
    transition = serializers.BooleanField()
    allocate = serializers.BooleanField()
    transfer = serializers.BooleanField()


class FactSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text='A stable code: "control", "next_appointment", "open_violations", ...')
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    value = serializers.CharField(help_text="The line as the case page shows it, in the caller's language.")
    tone = serializers.ChoiceField(choices=["", "info", "success", "warning", "danger"])
    url = serializers.CharField(help_text="Where the details are on the web (a section anchor or a page).")
    data = serializers.JSONField(  # type: ignore[assignment]  # a declared field, not Serializer.data
        allow_null=True, help_text="The value for machines (a date as ISO text, a count)."
    )


class ControlClockSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=["none", "not_started", "running", "ended"])
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(
        allow_null=True, help_text="Whole days to the last day of control while it runs (0 on the last day)."
    )
    tone = serializers.CharField()


class OverviewSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    status_label = serializers.CharField()
    status_family = serializers.ChoiceField(choices=["awaiting", "active", "suspended", "closed"])
    control = ControlClockSerializer()
    facts = FactSerializer(many=True, help_text="The control period first, then every app's facts, in order.")


class ActionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    url = serializers.CharField(help_text="The web page of the action's form.")
    primary = serializers.BooleanField()


class CaseDetailSerializer(CaseSummarySerializer):
    """A case with its legal basis and what the caller may do next (needs ``context["user"]``)."""

    # "" when the case has none (a pre-trial case has no sentence, a sentence no restraint measure);
    # declared so the schema lists "" beside the choices (a read-only model field loses allow_blank).
    sentence_kind = serializers.ChoiceField(choices=SentenceKind.choices, allow_blank=True, read_only=True)
    sentence_kind_label = serializers.CharField(source="get_sentence_kind_display", read_only=True)
    restraint_measure = serializers.ChoiceField(choices=RestraintMeasure.choices, allow_blank=True, read_only=True)
    restraint_measure_label = serializers.CharField(source="get_restraint_measure_display", read_only=True)
    eligibility = serializers.SerializerMethodField()
    forced_labour = serializers.SerializerMethodField()
    registration = serializers.SerializerMethodField()
    terms = serializers.SerializerMethodField()
    allowed_moves = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()
    overview = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "status_changed_at",
            "court",
            "decision_number",
            "decision_date",
            "effective_date",
            "cc_articles",
            "sentence_kind",
            "sentence_kind_label",
            "replaces_punishment",
            "offence_date",
            "term_months",
            "term_days",
            "term_hours",
            "control_months",
            "terms",
            "restraint_measure",
            "restraint_measure_label",
            "consent_given",
            "consent_date",
            "eligibility",
            "forced_labour",
            "institution",
            "release_date",
            "appeared_on",
            "registration",
            "registered_on",
            "closed_on",
            "allowed_moves",
            "permissions",
            "overview",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(EligibilitySerializer(allow_null=True))
    def get_eligibility(self, case: Case) -> dict[str, Any] | None:
        """Pre-trial cases: the stored decision and its explanation (LoP ch. 3)."""
        if not case.eligibility:
            return None
        return {
            **case.eligibility,
            "source": legal.decision_source(case.eligibility),
            "explanation": legal.explain(case.eligibility),
        }

    @extend_schema_field(ForcedLabourSerializer(allow_null=True))
    def get_forced_labour(self, case: Case) -> dict[str, Any] | None:
        """Restriction of liberty carries forced labour unless the person is exempt (CC art. 44(1))."""
        result = case_forced_labour(case, today=local_today())
        if result is None:
            return None
        return {
            "applies": result.applies,
            "hours_per_year": result.hours_per_year,
            "max_hours_per_day": result.max_hours_per_day,
            "exemptions": result.exemptions,
            "judged_on": result.judged_on,
            "source": result.source,
        }

    @extend_schema_field(RegistrationSerializer)
    def get_registration(self, case: Case) -> dict[str, Any]:
        """The registration deadline, whether it is overdue, and PEC art. 163's search measures."""
        state = registration_state(case, today=local_today())
        return {
            "due": state.due,
            "overdue": state.overdue,
            "appear_by": state.appear_by,
            "search_due": state.search_due,
            "source": state.source,
        }

    @extend_schema_field(TermsSerializer)
    def get_terms(self, case: Case) -> dict[str, Any]:
        """The control period now: the original order and the later court decisions in force."""
        terms = current_terms(case)
        return {
            "sentence_kind": terms.sentence_kind,
            "control_start": terms.control_start,
            "control_end": terms.control_end,
            "ordered_control_end": terms.original_end,
            "days_left": terms.days_left(today=local_today()),
            "source": terms.source,
            "decisions": CourtDecisionSerializer(terms.decisions, many=True).data,
        }

    @extend_schema_field(MoveSerializer(many=True))
    def get_allowed_moves(self, case: Case) -> list[dict[str, str]]:
        if not may(self.context["user"], CaseAction.TRANSITION, case):
            return []
        return [{"status": s, "label": str(CaseStatus(s).label)} for s in allowed_moves(case.status)]

    def _context_cache(self) -> dict[int, CaseOverview]:
        cache: dict[int, CaseOverview] = self.__dict__.setdefault("_overviews", {})
        return cache

    def _overview(self, case: Case) -> CaseOverview:
        cache = self._context_cache()
        if case.pk not in cache:
            cache[case.pk] = case_overview(user=self.context["user"], case=case, today=local_today())
        return cache[case.pk]

    @extend_schema_field(OverviewSerializer)
    def get_overview(self, case: Case) -> dict[str, Any]:
        """What the top of the case page shows: status, the days of control left and every fact."""
        found = self._overview(case)
        clock = found.clock
        return {
            "status": found.status,
            "status_label": found.status_label,
            "status_family": found.status_family,
            "control": {
                "state": clock.state,
                "start": clock.start,
                "end": clock.end,
                "days_left": clock.days_left,
                "tone": clock.tone,
            },
            "facts": [
                {
                    "key": f.key,
                    "label": str(f.label),
                    "value": str(f.value),
                    "tone": f.tone,
                    "url": f.url,
                    "data": f.data,
                }
                for f in found.facts
            ],
        }

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, case: Case) -> list[dict[str, Any]]:
        """The actions the caller may take now, primary ones first (the case page's buttons and menu)."""
        return [
            {"key": a.key, "label": str(a.label), "url": a.url, "primary": a.primary}
            for a in self._overview(case).actions
        ]

    @extend_schema_field(CasePermissionsSerializer)
    def get_permissions(self, case: Case) -> dict[str, bool]:
        user = self.context["user"]
        return {
            "transition": may(user, CaseAction.TRANSITION, case),
            "allocate": may(user, CaseAction.ALLOCATE, case),
            "transfer": may(user, CaseAction.TRANSFER, case),
        }


class CaseFilterSerializer(serializers.Serializer[dict[str, Any]]):
    """Query parameters of the case list (``cases.selectors.caseload``)."""

    q = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="Name, IIN or case number.")
    type = serializers.ChoiceField(choices=CaseType.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True)
    office = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    officer = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    mine = serializers.BooleanField(required=False, default=False, help_text="Only cases allocated to me.")
    open = serializers.BooleanField(required=False, default=False, help_text="Only open cases.")
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="Only cases awaiting registration past the deadline."
    )
    unallocated = serializers.BooleanField(required=False, default=False, help_text="Only cases with no officer.")
    ordering = serializers.ChoiceField(choices=sorted(SORTS), required=False, default="-received")


class CaseOpenSerializer(serializers.Serializer[dict[str, Any]]):
    """What ``case_open`` needs: the person, the office and the legal basis (a ``CaseInput``)."""

    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    office = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    case_type = serializers.ChoiceField(choices=CaseType.choices)
    received_on = serializers.DateField()
    court = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    decision_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)
    cc_articles = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    sentence_kind = serializers.ChoiceField(choices=SentenceKind.choices, required=False, allow_blank=True, default="")
    replaces_punishment = serializers.BooleanField(
        required=False, default=False, help_text="A restriction of liberty imposed to replace another punishment."
    )
    offence_date = serializers.DateField(required=False, allow_null=True, default=None)
    term_months = serializers.IntegerField(
        min_value=0,
        max_value=1200,
        required=False,
        allow_null=True,
        default=None,
        help_text="Parole: the unserved part.",
    )
    term_days = serializers.IntegerField(min_value=0, max_value=366, required=False, default=0)
    term_hours = serializers.IntegerField(
        min_value=1, max_value=2400, required=False, allow_null=True, default=None, help_text="Community service."
    )
    control_months = serializers.IntegerField(
        min_value=0, max_value=1200, required=False, allow_null=True, default=None
    )
    restraint_measure = serializers.ChoiceField(
        choices=RestraintMeasure.choices, required=False, allow_blank=True, default=""
    )
    consent_date = serializers.DateField(required=False, allow_null=True, default=None)
    institution = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    release_date = serializers.DateField(required=False, allow_null=True, default=None)
    appeared_on = serializers.DateField(required=False, allow_null=True, default=None)


class TransitionSerializer(serializers.Serializer[dict[str, Any]]):
    to_status = serializers.ChoiceField(choices=CaseStatus.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    effective_on = serializers.DateField(required=False, allow_null=True, default=None)


class RegisterSerializer(serializers.Serializer[dict[str, Any]]):
    registered_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AllocateSerializer(serializers.Serializer[dict[str, Any]]):
    officer = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, allow_null=True, help_text="The officer's id; null removes the allocation."
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.Serializer[dict[str, Any]]):
    to_office = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppearanceSerializer(serializers.Serializer[dict[str, Any]]):
    appeared_on = serializers.DateField()


class DecisionInputSerializer(serializers.Serializer[dict[str, Any]]):
    """What ``court_decision_record`` takes (a ``DecisionInput``); the fields used follow the kind."""

    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    court = serializers.CharField(max_length=300)
    number = serializers.CharField(max_length=64)
    decision_date = serializers.DateField()
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)
    extension_months = serializers.IntegerField(
        min_value=1, max_value=120, required=False, allow_null=True, default=None
    )
    new_control_end = serializers.DateField(required=False, allow_null=True, default=None)
    new_sentence_kind = serializers.ChoiceField(
        choices=SentenceKind.choices, required=False, allow_blank=True, default=""
    )
    new_term_months = serializers.IntegerField(
        min_value=1, max_value=600, required=False, allow_null=True, default=None
    )
    duties_added = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=50
    )
    duties_removed = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=50
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

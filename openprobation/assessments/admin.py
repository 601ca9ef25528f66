from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openprobation.assessments.instrument import definition_errors
from openprobation.assessments.models import Assessment, Instrument, InstrumentStatus
from openprobation.audit.services import audit_record, diff

FIELDS = [
    "key",
    "version",
    "kind",
    "title_en",
    "title_kk",
    "title_ru",
    "definition",
    "source",
    "rule_status",
    "status",
    "effective_from",
    "effective_to",
    "notes",
]
# What may still change on a version with assessments: closing it, its status and notes.
CHANGEABLE_IN_USE = ("effective_to", "status", "notes")


class InstrumentAdminForm(forms.ModelForm):  # ModelForm[...] is not subscriptable at run time
    """Refuses a definition that does not parse, naming each mismatch by its path."""

    class Meta:
        model = Instrument
        fields = FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "definition" in self.fields and "definition" not in self.errors:
            problems = definition_errors(cleaned.get("definition"))
            if problems:
                self.add_error("definition", "; ".join(problems[:20]))
        return cleaned


def _in_use(obj: Instrument | None) -> bool:
    return obj is not None and obj.pk is not None and Assessment.objects.filter(instrument=obj).exists()


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    form = InstrumentAdminForm
    list_display = ["key", "version", "kind", "status", "effective_from", "effective_to", "rule_status"]
    list_filter = ["kind", "status"]
    search_fields = ["key", "title_en", "title_kk", "title_ru", "source"]
    ordering = ["key", "version"]
    actions = ["approve"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = ["calibration", "derived_from", "approved_by", "approved_at"]
        if _in_use(obj):
            return [f for f in FIELDS if f not in CHANGEABLE_IN_USE] + readonly
        return readonly

    def save_model(self, request: HttpRequest, obj: Instrument, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        before = {f: form.initial.get(f) for f in FIELDS} if change else {}
        if obj.status == InstrumentStatus.APPROVED and obj.approved_at is None:
            obj.approved_by = request.user  # type: ignore[assignment]
            obj.approved_at = timezone.now()
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="instrument.change" if change else "instrument.create",
            subject=obj,
            changes=diff(before, {f: getattr(obj, f) for f in FIELDS if f != "definition"}),
        )

    @admin.action(
        description=gettext_lazy("Approve the selected drafts (officers score with them from their start date)")
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[Instrument]) -> None:
        approved = 0
        for instrument in queryset.filter(status=InstrumentStatus.DRAFT):
            problems = definition_errors(instrument.definition)
            if problems:
                messages.error(request, f"{instrument}: {'; '.join(problems[:5])}")
                continue
            instrument.status = InstrumentStatus.APPROVED
            instrument.approved_by = request.user  # type: ignore[assignment]
            instrument.approved_at = timezone.now()
            instrument.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
            audit_record(
                actor=request.user,
                action="instrument.approve",
                subject=instrument,
                changes={"status": ["draft", "approved"]},
            )
            approved += 1
        messages.info(request, _("%(n)s version(s) approved.") % {"n": approved})

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a version is closed with effective_to, never deleted

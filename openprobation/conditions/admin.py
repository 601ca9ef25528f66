from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _

from openprobation.audit.services import audit_record, diff
from openprobation.conditions.catalogue import CATALOGUE_FIELDS, definition_errors
from openprobation.conditions.models import CaseCondition, ConditionDefinition
from openprobation.conditions.params import LANGUAGES

# What may still change on a version that cases use: closing it, its status and notes. Its
# wording and parameters are fixed; a change is a new version.
CHANGEABLE_IN_USE = ("effective_to", "status", "notes")


class ConditionDefinitionAdminForm(forms.ModelForm):  # ModelForm[...] is not subscriptable at run time
    """Refuses a text whose placeholders differ from the parameters, naming the field."""

    class Meta:
        model = ConditionDefinition
        fields = CATALOGUE_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "params_schema" in self.fields and "params_schema" not in self.errors:
            schema = cleaned.get("params_schema")
            texts = {lang: cleaned.get(f"text_{lang}") or "" for lang in LANGUAGES}
            for field, message in definition_errors(schema if schema is not None else {}, texts).items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned


def _in_use(obj: ConditionDefinition | None) -> bool:
    return obj is not None and obj.pk is not None and CaseCondition.objects.filter(definition=obj).exists()


@admin.register(ConditionDefinition)
class ConditionDefinitionAdmin(admin.ModelAdmin):
    form = ConditionDefinitionAdminForm
    list_display = ["code", "version", "category", "effective_from", "effective_to", "em_checkable", "status"]
    list_filter = ["category", "status", "em_checkable"]
    search_fields = ["code", "name_en", "name_kk", "name_ru", "source"]
    ordering = ["code", "version"]
    readonly_fields = ["next_version"]

    @admin.display(description=_("New version"))
    def next_version(self, obj: ConditionDefinition | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return format_html('<a href="../../add/?copy={}">{}</a>', obj.pk, _("Start a new version from this one"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if _in_use(obj):
            return [f for f in CATALOGUE_FIELDS if f not in CHANGEABLE_IN_USE] + ["next_version"]
        return ["next_version"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        source = request.GET.get("copy", "")
        if source.isascii() and source.isdigit() and len(source) < 12:
            original = ConditionDefinition.objects.filter(pk=int(source)).first()
            if original is not None:
                initial = {f: getattr(original, f) for f in CATALOGUE_FIELDS if f not in ("effective_to",)}
                latest = ConditionDefinition.objects.filter(code=original.code).aggregate(v=Max("version"))["v"]
                initial["version"] = (latest or 0) + 1
                initial["effective_from"] = None
        return initial

    def save_model(self, request: HttpRequest, obj: ConditionDefinition, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        before = {f: form.initial.get(f) for f in CATALOGUE_FIELDS} if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="condition_definition.change" if change else "condition_definition.create",
            subject=obj,
            changes=diff(before, {f: getattr(obj, f) for f in CATALOGUE_FIELDS}),
        )
        messages.info(request, str(obj))

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a version is closed with effective_to, never deleted

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from openprobation.audit.services import audit_record, diff
from openprobation.rules.models import Rule
from openprobation.rules.rulebook import invalidate
from openprobation.rules.schemas import param_errors

FIELDS = [
    "key",
    "version",
    "title",
    "effective_from",
    "effective_to",
    "params",
    "source",
    "source_kk",
    "source_ru",
    "status",
    "notes",
]


class RuleAdminForm(forms.ModelForm):  # the stubs' ModelForm[Rule] is not subscriptable at run time
    """Refuses params that do not match the schema of the rule key (and keys without a schema), so
    an administrator's typo is caught on saving, never when a service later reads the rule."""

    class Meta:
        model = Rule
        fields = FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        key, params = cleaned.get("key"), cleaned.get("params")
        if key and "params" not in self.errors:
            for error in param_errors(key, params):
                if error.path == "key":
                    self.add_error("key", str(error.message))
                else:
                    self.add_error("params", str(error))
        return cleaned


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    list_display = ["key", "version", "effective_from", "effective_to", "status", "source"]
    list_filter = ["status", "key"]
    search_fields = ["key", "title", "source"]
    ordering = ["key", "version"]

    def save_model(self, request: HttpRequest, obj: Rule, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        before = {f: form.initial.get(f) for f in FIELDS} if change else {}
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="rule.change" if change else "rule.create",
            subject=obj,
            changes=diff(before, {f: getattr(obj, f) for f in FIELDS}),
        )
        invalidate()
        messages.info(request, str(obj))

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a rule version is closed with effective_to, never deleted

"""The admin pages of partner staff (who works for which organisation) and a read-only list of
the organisations (they are kept on the registry pages by the heads and regional admins)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from openprobation.accounts.models import Role, User
from openprobation.audit.services import audit_record
from openprobation.programmes.models import PartnerOrganisation, PartnerStaff


class PartnerStaffForm(forms.ModelForm):  # ModelForm[...] is not subscriptable at run time
    class Meta:
        model = PartnerStaff
        fields = ["user", "organisation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only users of the partner-staff role may be tied to an organisation.
        self.fields["user"].queryset = User.objects.filter(role=Role.PARTNER_STAFF)  # type: ignore[attr-defined]


@admin.register(PartnerStaff)
class PartnerStaffAdmin(admin.ModelAdmin):
    form = PartnerStaffForm
    list_display = ["user", "organisation"]
    list_select_related = ["user", "organisation"]

    def save_model(self, request: HttpRequest, obj: PartnerStaff, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        before = form.initial.get("organisation") if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="partner_staff.link",
            subject=obj.organisation,
            changes={"organisation": [before, obj.organisation_id]},
            details={"user_id": obj.user_id},
        )

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

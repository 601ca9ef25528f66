from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from openprobation.accounts.models import Office, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "name_en"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "region", "officer_capacity"]
    list_filter = ["region"]
    search_fields = ["code", "name_kk", "name_ru", "name_en"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "office", "region", "is_active"]
    list_filter = ["role", "office__region", "office", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Probation service"), {"fields": ("patronymic", "role", "office", "region", "language")}),
    )

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # staff are deactivated, never deleted: the audit trail refers to them

from django.contrib import admin

from openprobation.accounts.models import Office, Region


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


# Staff (User) are administered in openprobation.staff.admin, through the audited staff services.

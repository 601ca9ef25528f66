from django.contrib import admin

from openprobation.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit events."""

    list_display = ["id", "at", "actor_username", "action", "subject_type", "subject_repr", "request_id"]
    list_filter = ["action", "subject_type"]
    search_fields = ["actor_username", "subject_repr", "request_id", "subject_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

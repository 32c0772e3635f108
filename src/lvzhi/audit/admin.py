from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail can be inspected here, never changed."""

    list_display = ("seq", "created_at", "actor_name", "action", "model", "object_repr", "confidential")
    list_filter = ("action", "model")
    search_fields = ("object_repr", "actor_name")
    exclude = ("before", "after")  # confidential values never show here

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


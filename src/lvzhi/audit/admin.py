from django.contrib import admin

from lvzhi.org.scoping import scope_for

from .models import AuditEntry
from .selectors import readable_entries


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail can be inspected here, never changed. Only entries the user may read in full are listed:
    a confidential entry's object names a person (问责：某某), so it stays on the audit page, where it is redacted."""

    list_display = ("seq", "created_at", "actor_name", "action", "model", "object_repr", "confidential")
    list_filter = ("action", "model")
    search_fields = ("object_repr", "actor_name")
    exclude = ("before", "after")  # confidential values never show here

    def get_queryset(self, request):
        return readable_entries(scope_for(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


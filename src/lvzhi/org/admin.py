"""Django admin, for administrators: accounts and role assignments (audited); domain data read-only here,
since every write to records must go through the services that scope-check it and write the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import log_change, snapshot

from .models import PartyOrg, Person, RoleAssignment, Unit, User

admin.site.site_header = "履职 · 后台管理"
admin.site.site_title = "履职后台"
admin.site.index_title = "系统管理"


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(obj.__class__.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            after = snapshot(obj)
            for secret in ("password",):
                if before and secret in before:
                    before[secret] = "（已隐藏）"
                if secret in after:
                    after[secret] = "（已隐藏）"
            log_change(request.user, AuditAction.UPDATE if change else AuditAction.CREATE, obj, before=before,
                       after=after, unit_id=getattr(obj, "unit_id", None))

    def delete_model(self, request, obj):
        with transaction.atomic():
            log_change(request.user, AuditAction.DELETE, obj, before=snapshot(obj), unit_id=getattr(obj, "unit_id", None))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class LvzhiUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [RoleInline]
    list_display = ("username", "first_name", "person", "is_active", "is_staff", "last_login")
    raw_id_fields = ("person",)
    fieldsets = UserAdmin.fieldsets + (("对应人员", {"fields": ("person",)}),)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                log_change(request.user, AuditAction.DELETE, obj, before=snapshot(obj), unit_id=obj.unit_id)
                obj.delete()
            for obj in instances:
                creating = obj.pk is None
                obj.save()
                log_change(request.user, AuditAction.CREATE if creating else AuditAction.UPDATE, obj,
                           after=snapshot(obj), unit_id=obj.unit_id)
            formset.save_m2m()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role",)
    autocomplete_fields = ["unit", "user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "category", "depth")
    search_fields = ("code", "name")
    ordering = ("path",)


@admin.register(PartyOrg)
class PartyOrgAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "unit")
    search_fields = ("code", "name")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "unit", "post", "cadre_level")
    search_fields = ("code", "name", "pinyin_initials")

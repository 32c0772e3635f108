"""Django admin, for administrators: accounts and role assignments (audited); domain data read-only here,
since every write to records must go through the services that scope-check it and write the audit trail."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import log_change, snapshot

from .models import PartyOrg, Person, RoleAssignment, RoleRequest, Unit, User
from .scoping import CONFIDENTIAL_ROLES

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


def _holds_confidential_role(user) -> bool:
    return RoleAssignment.objects.filter(user=user, role__in=CONFIDENTIAL_ROLES).exists()


class RoleAssignmentForm(forms.ModelForm):
    """A confidential role cannot be added here, nor an existing one moved to another account or unit: that takes a
    request and a second person's approval (org.access). Other roles, and removing any role, stay here."""

    def clean(self):
        data = super().clean()
        role, unit = data.get("role"), data.get("unit")
        user = data.get("user") or (self.instance.user if self.instance.user_id else None)
        if role in CONFIDENTIAL_ROLES:
            old = self.instance
            same = old.pk and (old.role, old.unit_id, old.user_id) == (role, getattr(unit, "pk", None),
                                                                         getattr(user, "pk", None))
            if not same:
                raise ValidationError(format_html(
                    "授予保密角色（党委书记、纪委书记/纪检干事）须经第二位有权人员批准，不能在后台直接授予："
                    '请在<a href="{}">保密角色授权</a>页面提出申请。', reverse("org:role_requests")))
        return data


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 1
    autocomplete_fields = ["unit"]


@admin.register(User)
class LvzhiUserAdmin(AuditedAdmin, UserAdmin):
    inlines = [RoleInline]
    list_display = ("username", "first_name", "person", "is_active", "is_staff", "last_login")
    raw_id_fields = ("person",)
    fieldsets = UserAdmin.fieldsets + (("对应人员", {"fields": ("person",)}),)

    def user_change_password(self, request, id, form_url=""):
        """Setting the password of someone who sees confidential records would let the administrator sign in as
        them — a way around the second person's approval. They change it themselves (or the role is revoked first)."""
        target = self.get_object(request, id)
        if target is not None and target.pk != request.user.pk and _holds_confidential_role(target):
            messages.error(request, "该账号持有保密角色，密码只能由本人修改；如需重置，请先撤销其保密角色。")
            return redirect(reverse("admin:org_user_change", args=[target.pk]))
        return super().user_change_password(request, id, form_url)

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
    form = RoleAssignmentForm
    list_display = ("user", "role", "unit")
    list_filter = ("role",)
    autocomplete_fields = ["unit", "user"]


@admin.register(RoleRequest)
class RoleRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are made and decided on their own page, where the second person approves."""

    list_display = ("user", "role", "unit", "status", "requested_by_name", "decided_by_name", "requested_at")
    list_filter = ("status", "role")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

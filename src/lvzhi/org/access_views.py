"""Pages of the four-eyes grant of confidential roles: request (administrators), approve or refuse (a second,
authorised person). Thin doors onto ``org.access``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import access
from .models import Role, RoleRequestStatus, Unit, User
from .scoping import CONFIDENTIAL_ROLES, scope_for


class RequestForm(forms.Form):
    username = forms.CharField(label="账号（用户名）", max_length=150)
    unit: "forms.ModelChoiceField[Unit]" = forms.ModelChoiceField(label="单位", queryset=None, empty_label=None)
    role = forms.ChoiceField(label="角色", choices=[(r, Role(r).label) for r in sorted(CONFIDENTIAL_ROLES)])
    reason = forms.CharField(label="理由（如任职文件文号）", max_length=300)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope.units().order_by("path")
        self.fields["unit"].label_from_instance = lambda u: f"{'　' * (u.depth - 1)}{u.name}（{u.code}）"

    def clean_username(self):
        user = User.objects.filter(username=self.cleaned_data["username"].strip(), is_active=True).first()
        if user is None:
            raise ValidationError("没有这个账号，或账号已停用。")
        return user


@login_required
def role_requests(request):
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.confidential_paths):
        raise PermissionDenied("只有系统管理员（申请）和党委书记、纪委人员（批准）使用此页面。")
    form = RequestForm(request.POST or None, scope=scope) if scope.is_admin else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有系统管理员可以申请授予保密角色。")
        if form.is_valid():
            d = form.cleaned_data
            try:
                req = access.request_role(user=d["username"], unit=d["unit"], role=d["role"], reason=d["reason"],
                                          actor=request.user, scope=scope)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已提交申请：{req}。须由另一位有权人员批准后生效。")
                return redirect("org:role_requests")
    requests = list(access.visible_requests(scope)[:100])
    for r in requests:
        r.refusal = access.may_approve(r, request.user, scope) if r.status == RoleRequestStatus.PENDING else ""
        r.withdrawable = r.status == RoleRequestStatus.PENDING and r.requested_by_id == request.user.pk
    return render(request, "org/role_requests.html", {
        "form": form, "mine": [r for r in requests if r.status == RoleRequestStatus.PENDING and not r.refusal],
        "requests": requests,
    })


@login_required
@require_POST
def role_request_decide(request, pk, decision):
    scope = scope_for(request.user)
    req = access.visible_requests(scope).filter(pk=pk).first()
    if req is None or decision not in ("approve", "reject"):
        raise Http404("未找到该申请，或您无权查看。")
    note = request.POST.get("note", "")
    if decision == "approve":
        access.approve(req, actor=request.user, scope=scope, note=note)  # PermissionDenied → 403 with the reason
        messages.success(request, f"已批准：{req.user} 自现在起在{req.unit.name}拥有{req.get_role_display()}角色。")
    else:
        access.reject(req, actor=request.user, scope=scope, note=note)
        messages.success(request, f"已驳回（或撤回）申请：{req.user} · {req.get_role_display()}。")
    return redirect("org:role_requests")

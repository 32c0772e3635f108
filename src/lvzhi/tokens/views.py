"""The account page's token list: create (the token is shown once) and revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lvzhi.records.forms import apply_model_errors

from . import selectors, services


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100, help_text="例如“人事系统同步”，便于日后辨认和撤销")
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=services.MAX_DAYS, initial=services.DEFAULT_DAYS)
    read_only = forms.BooleanField(label="只读（只能查询，不能修改）", required=False)


@login_required
def token_list(request):
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, plain = services.create_token(request.user, actor=request.user, **form.cleaned_data)
            created = {"token": token, "plain": plain}
            form = TokenForm()
        except ValidationError as exc:
            apply_model_errors(form, exc)
    return render(request, "tokens/list.html", {
        "form": form, "created": created, "tokens": selectors.tokens_of(request.user),
        "api_root": request.build_absolute_uri("/api/"),
    })


@login_required
@require_POST
def token_revoke(request, pk):
    token = selectors.tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404("未找到该令牌。")
    services.revoke_token(token, actor=request.user)
    messages.success(request, f"已撤销令牌“{token.name}”（{token.prefix}…）。")
    return redirect("tokens:list")

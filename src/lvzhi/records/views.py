"""Generic pages for every record type: list, detail, create, edit, delete. Thin: services do the work."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lvzhi.audit.selectors import entries_for_object
from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit

from . import cells, forms, registry, selectors, services
from .services import ConcurrentEditError


def _record_type(key: str):
    try:
        return registry.get(key)
    except LookupError:
        raise Http404("未知的记录类型。") from None


def list_filters(request, rt) -> dict:
    """Filters shared by the list page and the export link: unit (default: current), year, kind, search."""
    scope = scope_for(request.user)
    unit = None
    if request.GET.get("unit"):
        unit = scope.units().filter(pk=request.GET["unit"]).first()
    if unit is None:
        unit = current_unit(request)
    year = request.GET.get("year", "")
    start = end = None
    if year.isdigit():
        start, end = dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    return {"unit": unit, "start": start, "end": end, "kind": request.GET.get("kind") or None,
            "search": request.GET.get("q") or None, "year": year}


@login_required
def record_list(request, key):
    rt = _record_type(key)
    scope = scope_for(request.user)
    f = list_filters(request, rt)
    qs = selectors.filter_records(rt, scope, unit=f["unit"], start=f["start"], end=f["end"], kind=f["kind"],
                                  search=f["search"])
    related = [c.field for c in rt.columns if not rt.is_virtual(c) and rt.model_field(c.field).many_to_one]
    if related:
        qs = qs.select_related(*related)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    columns = [c for c in rt.columns if c.field in rt.list_columns]
    rows = [{"obj": o, "cells": [cells.format_cell(rt, c, o) for c in columns]} for o in page]
    kinds = rt.model_field(rt.kind_field).flatchoices if rt.kind_field else []
    years = range(dt.date.today().year, 2017, -1)
    hidden = selectors.hidden_count(rt, scope)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "records/list.html", {
        "rt": rt, "page": page, "rows": rows, "headers": [rt.header(c) for c in columns], "filters": f,
        "kinds": kinds, "years": years, "hidden": hidden, "query": query.urlencode(),
        "can_write": scope.can_write_any(rt.system),
    })


@login_required
def record_detail(request, key, pk):
    rt = _record_type(key)
    scope = scope_for(request.user)
    obj = _get(rt, scope, pk)
    fields = [(rt.header(c), cells.format_cell(rt, c, obj)) for c in rt.columns]
    unit = rt.unit_of(obj)
    return render(request, "records/detail.html", {
        "rt": rt, "obj": obj, "fields": fields, "history": entries_for_object(scope, obj),
        "attachments": selectors.attachments_of(obj),
        "can_write": unit is not None and scope.can_write(rt.system, unit),
        "extra": rt.extra.get("detail_context", lambda o, s: {})(obj, scope),
    })


def _get(rt, scope, pk):
    obj = selectors.visible(rt, scope).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该记录，或您无权查看。")
    return obj


@login_required
def record_edit(request, key, pk=None):
    rt = _record_type(key)
    scope = scope_for(request.user)
    obj = _get(rt, scope, pk) if pk is not None else None
    creating = obj is None
    if not scope.can_write_any(rt.system):
        raise PermissionDenied(f"您没有录入{rt.verbose_name}的权限。")
    form_cls = forms.form_class(rt, creating=creating)
    if request.method == "POST":
        form = form_cls(request.POST, scope=scope)
        if form.is_valid():
            try:
                if creating:
                    obj = services.create_record(rt, form.record_data, actor=request.user, scope=scope)
                    messages.success(request, f"已新增{rt.verbose_name}“{obj}”。")
                else:
                    obj = services.update_record(rt, obj, form.record_data, actor=request.user, scope=scope,
                                                 expected_version=form.cleaned_data.get("version"))
                    messages.success(request, f"已保存{rt.verbose_name}“{obj}”。")
                return redirect("records:detail", key, obj.pk)
            except ValidationError as exc:
                forms.apply_model_errors(form, exc)
            except (PermissionDenied, ConcurrentEditError) as exc:
                form.add_error(None, str(exc))
    else:
        initial = forms.initial_for(rt, obj) if obj else _defaults(request, rt)
        form = form_cls(initial=initial, scope=scope)
    return render(request, "records/form.html", {"rt": rt, "obj": obj, "form": form, "creating": creating})


def _defaults(request, rt) -> dict:
    initial = {}
    unit = current_unit(request)
    for c in rt.columns:
        if c.field == rt.unit_field and unit is not None:
            initial[c.field] = cells.ref_label(unit)
    if rt.date_field:
        initial[rt.date_field] = dt.date.today().isoformat()
    return initial


@login_required
@require_POST
def record_delete(request, key, pk):
    rt = _record_type(key)
    scope = scope_for(request.user)
    obj = _get(rt, scope, pk)
    try:
        services.delete_record(rt, obj, actor=request.user, scope=scope)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("records:detail", key, pk)
    messages.success(request, f"已删除{rt.verbose_name}“{obj}”。")
    return redirect(reverse("records:list", args=[key]))


@login_required
@require_POST
def attachment_upload(request, key, pk):
    rt = _record_type(key)
    scope = scope_for(request.user)
    obj = _get(rt, scope, pk)
    f = request.FILES.get("file")
    try:
        if f is None:
            raise ValidationError("请选择文件。")
        services.attach_file(rt, obj, f, actor=request.user, scope=scope)
        messages.success(request, f"已上传附件“{f.name}”。")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("records:detail", key, pk)


@login_required
def attachment_download(request, key, pk, attachment_id):
    from django.http import FileResponse

    rt = _record_type(key)
    obj = _get(rt, scope_for(request.user), pk)  # readable record ⇒ readable attachments
    att = selectors.attachments_of(obj).filter(pk=attachment_id).first()
    if att is None:
        raise Http404("未找到该附件。")
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)

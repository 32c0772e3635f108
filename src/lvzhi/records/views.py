"""Generic pages for every record type: list, detail, create, edit, delete. Thin: services do the work."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lvzhi.audit.selectors import entries_for_object
from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit, requested_unit
from lvzhi.web import clock, fragments, totals
from lvzhi.web.params import year_param

from . import advice, backfill, cells, forms, listing, registry, selectors, services
from .services import ConcurrentEditError


def _record_type(key: str):
    try:
        return registry.get(key)
    except LookupError:
        raise Http404("未知的记录类型。") from None


def list_filters(request, rt) -> dict:
    """Filters shared by the list page and the export link: unit (default: current), year, kind, search."""
    scope = scope_for(request.user)
    unit = requested_unit(request, scope) if request.GET.get("unit") else current_unit(request)
    year = year_param(request.GET.get("year"))
    start = end = None
    if year:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return {"unit": unit, "start": start, "end": end, "kind": request.GET.get("kind") or None,
            "search": request.GET.get("q") or None, "year": str(year or "")}


def _narrowing(f: dict) -> dict:
    return {k: f[k] for k in ("unit", "start", "end", "kind")}


def listed_records(request, rt) -> tuple[dict, object]:
    """The filters and records of a list page — which its export link downloads, in the same order."""
    f = list_filters(request, rt)
    return f, selectors.filter_records(rt, scope_for(request.user), **_narrowing(f), search=f["search"])


@login_required
def record_list(request, key):
    rt = _record_type(key)
    scope = scope_for(request.user)
    f, qs = listed_records(request, rt)
    within = (f["unit"], rt.unit_field) if f["unit"] is not None and rt.unit_field else None  # the unit's subtree
    listed = selectors.with_related(rt, qs, rt.list_columns)
    today = clock.today()
    counts = backfill.list_counts(rt, qs, today, within and within[0]) if backfill.counted(rt) else None
    page = totals.Paginator(listed, listing.PER_PAGE, within=within,
                            total=counts["total"] if counts else None).get_page(request.GET.get("page"))
    kinds = rt.model_field(rt.kind_field).flatchoices if rt.kind_field else []
    years = clock.year_choices()
    hidden = selectors.hidden_note(rt, scope, **_narrowing(f))
    query = request.GET.copy()
    query.pop("page", None)
    backfilled = counts["backfilled"] if counts else []
    days = advice.backfill_days()
    return render(request, "records/list.html", {
        "rt": rt, "page": page, **listing.page_rows(rt, listed, page.number, today, days), "filters": f,
        "backfilled": backfilled, "backfilled_html": fragments.backfill_rows(backfilled),
        "backfill_total": sum(b["n"] for b in backfilled),
        "backfill_days": days,
        "kinds": kinds, "years": years, "hidden": hidden, "query": query.urlencode(),
        "can_write": scope.can_write_any(rt.system),
    })


@login_required
def record_detail(request, key, pk):
    rt = _record_type(key)
    scope = scope_for(request.user)
    obj = _get(rt, scope, pk)
    fields = [(rt.header(c), cells.display_cell(rt, c, obj)) for c in rt.columns]
    unit = rt.unit_of(obj)
    children = [{**c, **listing.table(c["rt"], c["rows"]), "can_add": scope.can_write_any(c["rt"].system),
                 "prefill": urlencode({c["column"].field: cells.ref_label(obj)})}
                for c in selectors.children(rt, obj, scope)]
    return render(request, "records/detail.html", {
        "rt": rt, "obj": obj, "fields": fields, "history": entries_for_object(scope, obj),
        "attachments": selectors.attachments_of(obj), "children": children,
        "can_write": unit is not None and scope.can_write(rt.system, unit),
        "extra": rt.hooks.detail_context(obj, scope) if rt.hooks.detail_context else {},
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
    preview = None
    if request.method == "POST":
        form = form_cls(request.POST, scope=scope)
        if "preview" in request.POST and rt.hooks.preview is not None:
            # "保存前检查": what the checks will conclude about this record, without saving it
            if form.is_valid():
                preview = rt.hooks.preview(form.record_data)
        elif form.is_valid():
            try:
                if creating:
                    obj = services.create_record(rt, form.record_data, actor=request.user, scope=scope)
                    messages.success(request, f"已新增{rt.verbose_name}“{obj}”。")
                else:
                    obj = services.update_record(rt, obj, form.record_data, actor=request.user, scope=scope,
                                                 expected_version=form.cleaned_data.get("version"))
                    messages.success(request, f"已保存{rt.verbose_name}“{obj}”。")
                back = _safe_next(request)
                return redirect(back) if back else redirect("records:detail", key, obj.pk)
            except ValidationError as exc:
                forms.apply_model_errors(form, exc)
            except (PermissionDenied, ConcurrentEditError) as exc:
                form.add_error(None, str(exc))
    else:
        initial = forms.initial_for(rt, obj) if obj else _defaults(request, rt)
        form = form_cls(initial=initial, scope=scope)
    return render(request, "records/form.html", {
        "rt": rt, "obj": obj, "form": form, "creating": creating, "next": _safe_next(request),
        "for_rule": request.GET.get("for_rule", "")[:100], "for_period": request.GET.get("for_period", "")[:60],
        "advice": advice.advice(rt, form, scope) if request.method == "POST" or request.GET.get("for_rule") else [],
        "preview": preview,
    })


def _safe_next(request) -> str:
    """Where saving returns to: the page the user came from (待办, 合规看板, 工作台), only on this site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()) and target.startswith("/"):
        return target
    return ""


def _defaults(request, rt) -> dict:
    """A new record starts in the current unit, dated today (unless its date comes from its parent); any column
    may be prefilled from the query string (a parent's page links to /records/finding/new/?inspection=12)."""
    initial = {}
    unit = current_unit(request)
    for c in rt.columns:
        if c.field == rt.unit_field and unit is not None:
            initial[c.field] = cells.ref_label(unit)
        elif not rt.is_virtual(c) and rt.model_field(c.field).has_default():
            default = rt.model_field(c.field).get_default()
            initial[c.field] = bool(default) if cells.kind_of(rt, c) == "bool" else cells.format_value(rt, c, default)
    if rt.date_field and not rt.model_field(rt.date_field).blank:  # a blank date follows its parent (a finding's)
        initial[rt.date_field] = clock.today().isoformat()  # the configured "today" (LVZHI_AS_OF), like every default
    initial.update({c.field: request.GET[c.field] for c in rt.columns if request.GET.get(c.field)})
    return initial


@login_required
@require_POST
def record_delete(request, key, pk):
    rt = _record_type(key)
    scope = scope_for(request.user)
    obj = _get(rt, scope, pk)
    try:
        services.delete_record(rt, obj, actor=request.user, scope=scope)
    except ValidationError as exc:  # a refused permission is a 403, like the edit page and the API
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
    services.check_write(rt, scope, obj)  # no right to change the record: 403 before the upload is looked at
    f = request.FILES.get("file")
    try:
        if f is None:
            raise ValidationError("请选择文件。")
        services.attach_file(rt, obj, f, actor=request.user, scope=scope)
        messages.success(request, f"已上传附件“{f.name}”。")
    except ValidationError as exc:  # a refused permission is a 403
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

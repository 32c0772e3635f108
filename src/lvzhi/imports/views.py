"""Import (upload → progress → result), export and blank-template downloads for every record type, and the whole
dataset (数据导入导出, administrators)."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit
from lvzhi.records import registry
from lvzhi.records.views import listed_records

from .dataset import export_dataset, is_dataset
from .exporter import blank_template, export_records
from .importer import MODES
from .models import DATASET, ImportJob
from .reader import FileRejected
from .services import create_job, job_state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rt(key):
    try:
        return registry.get(key)
    except LookupError:
        raise Http404("未知的记录类型。") from None


def _upload_error(f) -> str:
    if f is None:
        return "请选择要导入的文件。"
    if f.size > settings.MAX_UPLOAD_BYTES:
        return f"文件过大（{f.size / 1048576:.1f} MB），上限 {settings.MAX_UPLOAD_BYTES // 1048576} MB。"
    return ""


def _start(request, record_type: str, f, mode: str, unit=None):
    """A job for the upload, or the reason it was refused."""
    try:
        job = create_job(record_type=record_type, upload=f, user=request.user, unit=unit, mode=mode,
                         background=getattr(settings, "IMPORT_IN_BACKGROUND", True))
    except ValidationError as exc:
        return None, "；".join(exc.messages)
    return job, ""


@login_required
def upload(request, key):
    rt = _rt(key)
    scope = scope_for(request.user)
    if not scope.can_write_any(rt.system):
        raise PermissionDenied(f"您没有导入{rt.verbose_name}的权限。")
    error = ""
    mode = request.POST.get("mode", "create") if request.method == "POST" else "create"
    if request.method == "POST":
        f = request.FILES.get("file")
        error = _upload_error(f) or ("" if mode in MODES else "请选择导入方式。")
        if not error:
            job, error = _start(request, rt.key, f, mode, unit=current_unit(request))
            if job is not None:
                return redirect("imports:job", job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user, record_type=rt.key)[:10]
    return render(request, "imports/upload.html", {"rt": rt, "error": error, "jobs": jobs, "modes": MODES,
                                                   "mode": mode, "max_mb": settings.MAX_UPLOAD_BYTES // 1048576})


@login_required
def job(request, pk):
    job = ImportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404("未找到该导入任务。")
    state = job_state(job)
    template = "imports/_job.html" if request.headers.get("HX-Request") else "imports/job.html"
    rt = None if job.record_type == DATASET else _rt(job.record_type)
    return render(request, template, {"job": job, "rt": rt, "state": state, "progress": state["progress"]})


@login_required
def export(request, key):
    rt = _rt(key)
    _, qs = listed_records(request, rt)
    fh = tempfile.TemporaryFile()  # removed when the response closes it
    export_records(rt, qs, fh, scope=scope_for(request.user))
    fh.seek(0)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(fh, as_attachment=True, filename=f"{rt.verbose_name}_{stamp}.xlsx", content_type=XLSX)


@login_required
def template(request, key):
    rt = _rt(key)
    fh = tempfile.TemporaryFile()
    blank_template(rt, fh, scope=scope_for(request.user))
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=f"{rt.verbose_name}_导入模板.xlsx", content_type=XLSX)


def _admin_scope(request):
    scope = scope_for(request.user)
    if not scope.is_admin:
        raise PermissionDenied("数据导入导出仅限系统管理员。")
    return scope


@login_required
def dataset(request):
    """The whole dataset of the administrator's units: one workbook out, one workbook in (all or nothing)."""
    scope = _admin_scope(request)
    error = ""
    mode = request.POST.get("mode", "create") if request.method == "POST" else "create"
    if request.method == "POST":
        f = request.FILES.get("file")
        error = _upload_error(f) or ("" if mode in MODES else "请选择导入方式。")
        if not error:
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
                for chunk in f.chunks():
                    tmp.write(chunk)
                tmp.flush()
                f.seek(0)
                try:
                    if not is_dataset(tmp.name):
                        error = "该文件不是 lvzhi 数据集（没有“说明”工作表）。导入一种记录请到该记录列表的“导入”页面。"
                except FileRejected as exc:  # empty, or over the limit: its own reason
                    error = str(exc)
        if not error:
            job, error = _start(request, DATASET, f, mode)
            if job is not None:
                return redirect("imports:job", job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user, record_type=DATASET)[:10]
    units = scope.units().filter(depth__lte=3).order_by("path")
    return render(request, "imports/dataset.html", {"error": error, "jobs": jobs, "modes": MODES, "mode": mode,
                                                    "units": units, "max_mb": settings.MAX_UPLOAD_BYTES // 1048576})


@login_required
def dataset_export(request):
    scope = _admin_scope(request)
    unit = None
    if request.GET.get("unit"):
        unit = scope.units().filter(pk=request.GET["unit"]).first() if request.GET["unit"].isdigit() else None
        if unit is None:
            raise Http404("未找到该单位，或您无权查看。")
    fh = tempfile.TemporaryFile()
    export_dataset(fh, scope=scope, unit=unit, actor_name=request.user.get_username())
    fh.seek(0)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = f"数据集_{unit.name if unit else '全部'}_{stamp}.xlsx"
    return FileResponse(fh, as_attachment=True, filename=name, content_type=XLSX)

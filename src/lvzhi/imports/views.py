"""Import (upload → progress → result), export and blank-template downloads for every record type."""

from __future__ import annotations

import tempfile
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit
from lvzhi.records import registry
from lvzhi.records.views import listed_records

from .exporter import blank_template, export_records
from .models import ImportJob
from .services import start_job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rt(key):
    try:
        return registry.get(key)
    except LookupError:
        raise Http404("未知的记录类型。") from None


@login_required
def upload(request, key):
    rt = _rt(key)
    scope = scope_for(request.user)
    if not scope.can_write_any(rt.system):
        raise PermissionDenied(f"您没有导入{rt.verbose_name}的权限。")
    error = ""
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            error = "请选择要导入的文件。"
        elif f.size > settings.MAX_UPLOAD_BYTES:
            error = f"文件过大（{f.size / 1048576:.1f} MB），上限 {settings.MAX_UPLOAD_BYTES // 1048576} MB。"
        else:
            job = ImportJob.objects.create(record_type=rt.key, filename=f.name[:255], file=f,
                                           unit=current_unit(request), created_by=request.user)
            start_job(job, background=getattr(settings, "IMPORT_IN_BACKGROUND", True))
            return redirect("imports:job", job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user, record_type=rt.key)[:10]
    return render(request, "imports/upload.html", {"rt": rt, "error": error, "jobs": jobs,
                                                   "max_mb": settings.MAX_UPLOAD_BYTES // 1048576})


@login_required
def job(request, pk):
    job = ImportJob.objects.filter(pk=pk, created_by=request.user).first()
    if job is None:
        raise Http404("未找到该导入任务。")
    template = "imports/_job.html" if request.headers.get("HX-Request") else "imports/job.html"
    return render(request, template, {"job": job, "rt": _rt(job.record_type)})


@login_required
def export(request, key):
    rt = _rt(key)
    _, qs = listed_records(request, rt)
    fh = tempfile.TemporaryFile()  # removed when the response closes it
    export_records(rt, qs, fh)
    fh.seek(0)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(fh, as_attachment=True, filename=f"{rt.verbose_name}_{stamp}.xlsx", content_type=XLSX)


@login_required
def template(request, key):
    rt = _rt(key)
    fh = tempfile.TemporaryFile()
    blank_template(rt, fh)
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=f"{rt.verbose_name}_导入模板.xlsx", content_type=XLSX)

"""Import jobs started from the web page: the upload is saved, processed beside the request, and polled."""

from __future__ import annotations

import threading

from django.db import close_old_connections
from django.utils import timezone

from lvzhi.org.scoping import scope_for
from lvzhi.records import registry

from .importer import run_import
from .models import ImportJob, ImportStatus


def start_job(job: ImportJob, *, background: bool = True) -> None:
    """Run the job in a thread so the page can show progress; tests run it inline."""
    if background:
        threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True).start()
    else:
        run_job(job)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(ImportJob.objects.get(pk=job_id))
    finally:
        close_old_connections()


def run_job(job: ImportJob) -> ImportJob:
    rt = registry.get(job.record_type)
    user = job.created_by
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    def progress(phase: str, done: int, total: int | None) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, done=done, total=total or done)

    try:
        result = run_import(rt, job.file.path, actor=user, scope=scope_for(user), default_unit=job.unit,
                            filename=job.filename, progress=progress)
        job.errors = [{"row": e.row, "column": e.column, "message": e.message, "text": str(e)} for e in result.errors]
        job.rows, job.created = result.rows, result.created
        job.status = ImportStatus.DONE if result.ok else ImportStatus.FAILED
    except Exception as exc:  # the page must always end; the error is shown, nothing was written
        job.errors = [{"row": None, "column": "", "message": f"导入失败：{exc}", "text": f"导入失败：{exc}"}]
        job.status = ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.phase = ""
    job.save(update_fields=["errors", "rows", "created", "status", "finished_at", "phase"])
    return job

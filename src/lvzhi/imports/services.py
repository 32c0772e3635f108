"""Import jobs: a file uploaded on a page or through the API becomes a job that runs off the request (a thread,
or a Celery worker — ``lvzhi.tasks``) and reports progress; its outcome is written with its data.

- ``create_job`` keeps the file with its SHA-256 and refuses a file already imported (create mode) whole;
- ``run_job`` marks the job 进行中, imports (one record type, or a whole dataset), and records 已导入 inside the
  data transaction — a crash before the commit leaves nothing written, one after it leaves the truth;
- ``job_state`` tells a live job from a dead one by its heartbeat (``imports.progress``): 中断.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lvzhi import faults, tasks
from lvzhi.org.scoping import scope_for
from lvzhi.records import registry

from . import progress
from .dataset import import_dataset
from .importer import run_import
from .models import DATASET, ImportJob, ImportStatus

OPEN = (ImportStatus.PENDING, ImportStatus.RUNNING)


def file_digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def create_job(*, record_type: str, upload, user, unit=None, mode: str = "create", start: bool = True,
               background: bool = True) -> ImportJob:
    """Keep the upload and start importing it. A file imported before (same content, same type, create mode) is
    refused — uploaded twice it would be refused row by row anyway; this says why at once."""
    sha = file_digest(upload)
    if mode == "create":
        earlier = (ImportJob.objects.filter(file_sha256=sha, record_type=record_type, mode="create",
                                            status=ImportStatus.DONE).order_by("-finished_at").first())
        if earlier is not None:
            when = timezone.localtime(earlier.finished_at).strftime("%Y-%m-%d %H:%M")
            raise ValidationError(f"该文件已于 {when} 导入（导入任务 #{earlier.pk}，新增 {earlier.created} 条），"
                                  "未重复导入。要修改已导入的记录，请选择“按编号更新”。")
    job = ImportJob.objects.create(record_type=record_type, filename=upload.name[:255], file=upload, unit=unit,
                                   mode=mode, file_sha256=sha, created_by=user)
    if start:
        start_job(job, background=background)
    return job


def start_job(job: ImportJob, *, background: bool = True) -> None:
    tasks.submit("import_job", job.pk, inline=not background)


def run_job_by_id(job_id: int) -> None:
    run_job(ImportJob.objects.get(pk=job_id))


def run_job(job: ImportJob) -> ImportJob:
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(status=ImportStatus.RUNNING)
    if not claimed:  # another worker has it (a redelivered task), or it ended
        return job
    reporter = progress.Reporter(job.pk)
    reporter("开始", 0, None)
    user = job.created_by
    scope = scope_for(user)

    def written(result) -> None:  # inside the data transaction: the job is 已导入 exactly when its records are
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, rows=result.rows, created=result.created,
                                                   updated=result.updated, errors=[], finished_at=timezone.now())
        faults.point("import-before-commit")

    try:
        if job.record_type == DATASET:
            result = import_dataset(job.file.path, actor=user, scope=scope, mode=job.mode, progress=reporter,
                                    on_written=written)
        else:
            result = run_import(registry.get(job.record_type), job.file.path, actor=user, scope=scope,
                                default_unit=job.unit, filename=job.filename, mode=job.mode, progress=reporter,
                                on_written=written)
        faults.point("import-after-commit")
        if not result.ok:
            _fail(job, [{"row": e.row, "column": e.column, "message": e.message, "text": str(e),
                         "sheet": getattr(e, "sheet", "")} for e in result.errors], rows=result.rows)
    except Exception as exc:  # the page must always end; the error is shown, nothing was written
        _fail(job, [{"row": None, "column": "", "message": f"导入失败：{exc}", "text": f"导入失败：{exc}", "sheet": ""}])
    progress.clear(job.pk)
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, errors: list[dict], rows: int = 0) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).exclude(status=ImportStatus.DONE).update(
            status=ImportStatus.FAILED, errors=errors, rows=rows, created=0, updated=0, finished_at=timezone.now())


def job_state(job: ImportJob) -> dict:
    """What the job page shows: the stored status, and for an open job its progress — or, when its worker is gone,
    中断 (recorded, so the job list says so too)."""
    if job.status not in OPEN:
        return {"status": job.status, "progress": None}
    state = progress.read(job.pk)
    started = state is not None
    waited = (timezone.now() - job.created_at).total_seconds()
    # Queued on Celery, a job may wait its turn; run in a thread of the web process, it starts at once or never.
    lost = not started and waited > progress.STALE_SECONDS and not settings.CELERY_BROKER
    if (started and not progress.alive(state)) or lost:
        where = f"（停在“{state['phase']}”，已处理 {state['done']} 行）" if started else "（未开始）"
        message = f"导入进程已中断{where}；记录与“已导入”状态在同一事务中写入，因此没有写入任何记录，可以重新上传。"
        ImportJob.objects.filter(pk=job.pk, status__in=OPEN).update(
            status=ImportStatus.INTERRUPTED, finished_at=timezone.now(),
            errors=[{"row": None, "column": "", "message": message, "text": message, "sheet": ""}])
        progress.clear(job.pk)
        job.refresh_from_db()
        return {"status": job.status, "progress": None}
    return {"status": job.status, "progress": state}

from django.conf import settings
from django.db import models


class ImportMode(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "按编号更新"
    UPSERT = "upsert", "新增或更新"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "进行中"
    FAILED = "failed", "未导入（有错误）"
    DONE = "done", "已导入"
    INTERRUPTED = "interrupted", "中断（未写入）"


DATASET = "dataset"  # record_type of a whole-dataset job (imports.dataset)


class ImportJob(models.Model):
    """One uploaded file and what became of it.

    Facts, not hopes: ``status`` becomes 已导入 in the same transaction that writes the records, so a job that
    says so has written them and a job that died before its commit still says 进行中 — which ``services.job_state``
    recognises (the worker's heartbeat stopped) and shows as 中断, with nothing written. Progress lives outside the
    transaction (``imports.progress``), so the page can follow a job whose data is not yet committed."""

    record_type = models.CharField("记录类型", max_length=50)
    mode = models.CharField("导入方式", max_length=8, default=ImportMode.CREATE, choices=ImportMode.choices)
    file_sha256 = models.CharField("文件指纹", max_length=64, blank=True, db_index=True)
    filename = models.CharField("文件名", max_length=255)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    unit = models.ForeignKey("org.Unit", verbose_name="默认单位", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows = models.PositiveIntegerField("数据行数", default=0)
    created = models.PositiveIntegerField("新增条数", default=0)
    updated = models.PositiveIntegerField("修改条数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    @property
    def is_open(self) -> bool:
        """Still waiting or running: the job page keeps polling."""
        return self.status in (ImportStatus.PENDING, ImportStatus.RUNNING)

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "进行中"
    FAILED = "failed", "未导入（有错误）"
    DONE = "done", "已导入"


class ImportJob(models.Model):
    """One uploaded file and what became of it; the page polls it for progress."""

    record_type = models.CharField("记录类型", max_length=50)
    filename = models.CharField("文件名", max_length=255)
    file = models.FileField("文件", upload_to="imports/%Y/%m/")
    unit = models.ForeignKey("org.Unit", verbose_name="默认单位", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField("状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    phase = models.CharField("阶段", max_length=16, blank=True)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    created = models.PositiveIntegerField("新增条数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(self.done * 100 / self.total))

from django.db import models


class DemoSection(models.Model):
    """One loaded part of the demo company; loading is skipped for parts already here (idempotent)."""

    name = models.CharField("部分", max_length=50, unique=True)
    loaded_at = models.DateTimeField("载入时间", auto_now_add=True)
    objects_created = models.PositiveIntegerField("新建对象数", default=0)

    class Meta:
        verbose_name = "演示数据部分"
        verbose_name_plural = "演示数据部分"

    def __str__(self) -> str:
        return self.name

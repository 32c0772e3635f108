"""What every record shares: notes, a version for safe concurrent edits, who made it, attachments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class RecordBase(models.Model):
    notes = models.TextField("备注", blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        abstract = True


class NumberedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        from .numbering import assign_numbers

        objs = list(objs)
        assign_numbers(self.model, objs)
        return super().bulk_create(objs, *args, **kwargs)


class Numbered(models.Model):
    """A record with a visible number the system assigns (``NUMBER_PREFIX``-year-sequence) on every path that
    stores it; the subclass declares its ``number`` field with its own label (检查编号, 问题编号 …)."""

    NUMBER_PREFIX = ""
    NUMBER_DATE_FIELD = "date"

    objects = NumberedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.number:
            from .numbering import assign_numbers

            assign_numbers(type(self), [self])
        super().save(*args, **kwargs)


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.content_type.app_label}/{instance.content_type.model}/{instance.object_id}/{filename}"


class Attachment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name

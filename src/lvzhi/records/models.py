"""What every record shares: notes, a version for safe concurrent edits, who made it, attachments."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


class DerivedFields:
    """A record some of whose fields follow from others (its unit from its Party organisation or meeting, a
    person's pinyin). Every path that builds one — form, API, import, demo, scale generator — calls
    ``fill_derived()`` before saving (``records.services.fill_derived``); bulk writers do it as ``save()`` is
    not called."""

    def fill_derived(self) -> None:
        """Set the fields that follow from the others; nothing by default."""


_LABELS: dict = {}  # field → {value: label} of its fixed choices


class RecordBase(DerivedFields, models.Model):
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

    def _get_FIELD_display(self, field):
        """``get_<field>_display()`` as Django's, with the labels of fixed choices kept per field: Django makes
        that dict on every call, and a record's ``str()`` (an audit entry's text: one per imported row) often
        names its kind (支部活动 “HD-2023-0001 主题党日：…”: 44 µs a row, now ~2)."""
        if not isinstance(field.choices, (list, tuple)):  # choices a function gives: asked each time, as Django
            return super()._get_FIELD_display(field)
        labels = _LABELS.get(field)
        if labels is None:
            labels = _LABELS[field] = dict(make_hashable(field.flatchoices))
        return force_str(labels.get(make_hashable(getattr(self, field.attname)), getattr(self, field.attname)),
                         strings_only=True)


class NumberedQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        from .numbering import assign_numbers, note_numbers

        objs = list(objs)
        assign_numbers(self.model, objs)
        with transaction.atomic(using=self.db, savepoint=False):
            note_numbers(self.model, objs)
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
        from .numbering import assign_numbers, note_numbers

        if not self.number:
            assign_numbers(type(self), [self])
        if not self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(savepoint=False):
            note_numbers(type(self), [self])
            super().save(*args, **kwargs)


class NumberCounter(models.Model):
    """The highest visible number given per model and year prefix (``records.numbering``): numbering a record
    reads this row instead of scanning the year's numbers."""

    key = models.CharField("编号前缀", max_length=100, unique=True)
    last = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号计数"

    def __str__(self) -> str:
        return f"{self.key} {self.last}"


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


def record_type_choices() -> list[tuple[str, str]]:
    """Every record type a figure can count, by its Chinese name (read when a form or an import needs them)."""
    from .registry import all_types

    return sorted(((rt.key, rt.verbose_name) for rt in all_types() if rt.key != "record_keeping"), key=lambda c: c[1])


def metric_choices() -> list[tuple[str, str]]:
    from lvzhi.metrics.catalogue import CATALOGUE

    return [(m.id, m.label) for m in CATALOGUE]


class KeepingStatus(models.TextChoices):
    KEPT = "kept", "已完整录入（无记录即为零）"
    VERIFIED_ZERO = "verified_zero", "已核实为零"


class RecordKeeping(RecordBase):
    """A unit's declaration that a figure may be zero: its records of a type are complete for a year (every figure
    of that type may then be 0), or one figure has been checked and is 0 (已核实为零). Without one, a figure
    with nothing behind it is missing in a report (【待补充】), never a confident 0. A declaration covers the unit's
    whole subtree."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField("记录类型", max_length=40, choices=record_type_choices)
    metric = models.CharField("指标", max_length=80, blank=True, default="", choices=metric_choices,
                              help_text="“已核实为零”时填写所核实的指标；“已完整录入”时留空（对该类记录的全部指标有效）")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("声明", max_length=16, choices=KeepingStatus.choices, default=KeepingStatus.KEPT)
    date = models.DateField("声明日期")
    declared_by = models.ForeignKey("org.Person", verbose_name="声明人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "记录完整性声明"
        verbose_name_plural = "记录完整性声明"
        constraints = [models.UniqueConstraint(fields=["unit", "record_type", "metric", "year"],
                                               name="unique_record_keeping")]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.status == KeepingStatus.VERIFIED_ZERO and not self.metric:
            raise ValidationError({"metric": "“已核实为零”须写明所核实的指标。"})
        if self.metric:
            from lvzhi.metrics.catalogue import BY_ID

            metric = BY_ID.get(self.metric)
            if metric is not None and self.record_type and metric.record_type != self.record_type:
                raise ValidationError({"metric": f"指标“{metric.label}”不是由所选记录类型计算的。"})

    def __str__(self):
        what = self.get_metric_display() if self.metric else self.get_record_type_display()
        return f"{self.year}年{what}：{self.get_status_display()}（{self.unit}）"

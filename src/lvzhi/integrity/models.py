"""Clean-governance records (党风廉政建设责任制): responsibility letters and lists, supervision with its
rectification ledger, integrity talks, warning education and accountability (confidential)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

from lvzhi.records.fields import people_m2m, person_fk, unit_fk
from lvzhi.records.models import Numbered, RecordBase
from lvzhi.web import clock


class LetterKind(models.TextChoices):
    TWO_RESPONSIBILITIES = "two_responsibilities", "“两个责任”目标责任书"
    OTHER = "other", "其他责任书"


class ResponsibilityLetter(RecordBase):
    unit = unit_fk("签订单位")
    kind = models.CharField("类别", max_length=24, choices=LetterKind.choices, default=LetterKind.TWO_RESPONSIBILITIES)
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("签订日期")
    issuer = models.CharField("发出方", max_length=100, default="公司党委")
    signatory = person_fk("签订人")

    class Meta:
        verbose_name = "目标责任书"
        verbose_name_plural = "目标责任书"
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "year"], name="unique_letter_per_year")]

    def __str__(self):
        return f"{self.year}年{self.get_kind_display()}（{self.unit}）"


class DutyRole(models.TextChoices):
    FIRST_RESPONSIBLE = "first_responsible", "第一责任人"
    DUAL_DUTY = "dual_duty", "一岗双责"
    SUPERVISORY = "supervisory", "监督责任"
    BRANCH = "branch", "党支部"


class DutyList(Numbered, RecordBase):
    number = models.CharField("清单编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 QD-2022-0012")
    NUMBER_PREFIX = "QD"
    unit = unit_fk()
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("制定日期")
    role = models.CharField("责任类型", max_length=20, choices=DutyRole.choices)
    person = person_fk("责任人")
    title = models.CharField("清单名称", max_length=200)

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"

    def __str__(self):
        return self.title


class DutyItem(RecordBase):
    duty_list = models.ForeignKey(DutyList, verbose_name="责任清单", on_delete=models.CASCADE, related_name="items")
    unit = unit_fk(derived=True)
    content = models.CharField("责任事项", max_length=300)
    date = models.DateField("完成时限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    evidence = models.TextField("完成情况/佐证", blank=True)

    class Meta:
        verbose_name = "责任清单事项"
        verbose_name_plural = "责任清单事项"

    def __str__(self):
        return self.content

    def fill_derived(self):
        if self.duty_list_id and not self.unit_id:
            self.unit_id = self.duty_list.unit_id


class InspectionKind(models.TextChoices):
    SAFETY_PRODUCTION = "safety_production", "安全生产"
    WAGE_DISTRIBUTION = "wage_distribution", "工资分配"
    BIDDING = "bidding", "招投标"
    OTHER = "other", "其他"


class InspectionMethod(models.TextChoices):
    UNANNOUNCED = "unannounced", "四不两直"
    ANNOUNCED = "announced", "通知检查"


class Inspection(Numbered, RecordBase):
    number = models.CharField("检查编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 JC-2022-0012")
    NUMBER_PREFIX = "JC"
    unit = unit_fk("被检查单位")
    kind = models.CharField("监督类别", max_length=24, choices=InspectionKind.choices)
    kind_other = models.CharField("其他类别名称", max_length=50, blank=True, help_text="类别为“其他”时可写明，如：物资管理")
    method = models.CharField("方式", max_length=16, choices=InspectionMethod.choices, default=InspectionMethod.UNANNOUNCED)
    date = models.DateField("检查日期")
    title = models.CharField("检查事项", max_length=200)
    inspectors = people_m2m("检查人员")

    class Meta:
        verbose_name = "监督检查"
        verbose_name_plural = "监督检查"
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self):
        return self.title


class RuleBroken(models.TextChoices):
    EIGHT_RULES = "eight_rules", "中央八项规定"
    RED_LINES = "red_lines", "集团“十条红线”"
    SAFETY = "safety", "安全生产规定"
    FINANCE = "finance", "财经纪律"
    PROCUREMENT = "procurement", "招投标与采购规定"
    OTHER = "other", "其他制度"


class Finding(Numbered, RecordBase):
    number = models.CharField("问题编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 WT-2022-0012")
    NUMBER_PREFIX = "WT"
    inspection = models.ForeignKey(Inspection, verbose_name="监督检查", on_delete=models.PROTECT, related_name="findings")
    unit = unit_fk(derived=True)
    date = models.DateField("发现日期", blank=True, help_text="默认为检查日期")
    description = models.CharField("问题描述", max_length=300)
    rule_broken = models.CharField("违反规定", max_length=16, choices=RuleBroken.choices, default=RuleBroken.OTHER)
    severity = models.CharField("严重程度", max_length=8, choices=[("general", "一般"), ("major", "严重")], default="general")
    person = person_fk("涉及人员", related_name="+")

    class Meta:
        verbose_name = "检查发现问题"
        verbose_name_plural = "检查发现问题"

    def __str__(self):
        return self.description

    def fill_derived(self):
        if self.inspection_id:
            self.unit_id = self.unit_id or self.inspection.unit_id
            self.date = self.date or self.inspection.date


class RectificationStatus(models.TextChoices):
    OPEN = "open", "整改中"
    DONE = "done", "已完成"
    VERIFIED = "verified", "已销号"


class Rectification(Numbered, RecordBase):
    number = models.CharField("整改编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 ZG-2022-0012")
    NUMBER_PREFIX = "ZG"
    finding = models.ForeignKey(Finding, verbose_name="问题", on_delete=models.PROTECT, related_name="rectifications")
    unit = unit_fk(derived=True)
    owner = person_fk("整改责任人")
    measures = models.TextField("整改措施")
    date = models.DateField("下达日期", blank=True, help_text="默认为发现日期")
    deadline = models.DateField("整改时限")
    status = models.CharField("状态", max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.OPEN)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    evidence = models.TextField("完成佐证", blank=True)
    verified_by = person_fk("验收人")

    class Meta:
        verbose_name = "整改"
        verbose_name_plural = "整改台账"
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"整改：{self.finding}"

    def fill_derived(self):
        if self.finding_id:
            self.unit_id = self.unit_id or self.finding.unit_id
            self.date = self.date or self.finding.date

    def clean(self):
        if self.status != RectificationStatus.OPEN and not self.completed_on:
            raise ValidationError({"completed_on": "已完成或已销号的整改须填写完成日期。"})
        if self.status == RectificationStatus.VERIFIED and not self.verified_by_id:
            raise ValidationError({"verified_by": "销号须填写验收人。"})
        if self.deadline and self.date and self.deadline < self.date:
            raise ValidationError({"deadline": "整改时限不能早于下达日期。"})

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or clock.today()
        if self.completed_on:
            return self.completed_on > self.deadline
        return today > self.deadline


class TalkKind(models.TextChoices):
    ROUTINE = "routine", "例行廉政谈话"
    PRE_APPOINTMENT = "pre_appointment", "任前廉政谈话"
    COLLECTIVE_PRE_APPOINTMENT = "collective_pre_appointment", "任职前集体廉政谈话"
    REMINDER = "reminder", "提醒谈话"
    ADMONITION = "admonition", "诫勉谈话"
    INQUIRY = "inquiry", "函询"
    INVESTIGATION = "investigation", "调查谈话"
    HEART = "heart", "谈心谈话"


CONFIDENTIAL_TALKS = (TalkKind.REMINDER, TalkKind.ADMONITION, TalkKind.INQUIRY, TalkKind.INVESTIGATION)


class IntegrityTalk(RecordBase):
    unit = unit_fk()
    kind = models.CharField("谈话类别", max_length=32, choices=TalkKind.choices)
    date = models.DateField("谈话日期")
    talker = person_fk("谈话人")
    people = people_m2m("谈话对象", related_name="integrity_talks")
    title = models.CharField("主题", max_length=200)
    content = models.TextField("谈话内容", blank=True)

    class Meta:
        verbose_name = "廉政谈话"
        verbose_name_plural = "廉政谈话"
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


class WarningEducation(RecordBase):
    unit = unit_fk()
    date = models.DateField("日期")
    title = models.CharField("主题", max_length=200)
    form = models.CharField("形式", max_length=20, choices=[("meeting", "警示教育大会"), ("base", "参观警示教育基地"),
                                                        ("film", "观看警示教育片"), ("cases", "典型案例通报")])
    audience = models.CharField("对象", max_length=200, help_text="如：中层干部、人财物关键岗位人员、工段长")
    participants = models.PositiveIntegerField("参加人数", default=0)

    class Meta:
        verbose_name = "警示教育"
        verbose_name_plural = "警示教育"

    def __str__(self):
        return self.title


class Accountability(RecordBase):
    """问责 — confidential as a whole."""

    unit = unit_fk()
    person = person_fk("被问责人", required=True)
    date = models.DateField("问责日期")
    reason = models.TextField("问责事由")
    form = models.CharField("问责方式", max_length=20, choices=[("admonition", "诫勉"), ("criticism", "通报批评"),
                                                             ("organisational", "组织处理"), ("discipline", "纪律处分")])

    class Meta:
        verbose_name = "问责"
        verbose_name_plural = "问责"

    def __str__(self):
        return f"问责：{self.person}"

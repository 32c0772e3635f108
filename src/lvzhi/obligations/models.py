"""Obligation rules as data: what each unit, Party organisation or person owes, how often, and on what authority.

A rule is identified by a stable ``rule_id`` (branch.committee_meeting). Each row is one *version* of it, in force
from ``effective_from`` to ``effective_to``; revising a rule ends the current row and adds a new one, so every
period is judged by the version in force when it fell due. ``unit`` empty = the default for every unit (shipped
from RULES.md); a committee's own copy sets ``unit`` and applies to that unit's subtree instead of the default.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from lvzhi.records.models import RecordBase

from . import conditions


class Responsibility(models.TextChoices):
    PARTY_BUILDING = "party_building", "党建"
    INTEGRITY = "integrity", "廉政"
    IDEOLOGY = "ideology", "意识形态"


class Cadence(models.TextChoices):
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    TWO_MONTHS = "two_months", "每两个月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half_year", "每半年"
    YEAR = "year", "每年"
    EVENT = "event", "逐项（每件事）"


class SubjectKind(models.TextChoices):
    PARTY_ORG = "party_org", "党组织"
    PERSON = "person", "人员"
    UNIT = "unit", "单位"
    CONTACT_POINT = "contact_point", "联系点"
    EVENT = "event", "事项（记录本身）"


class Check(models.TextChoices):
    COUNT = "count", "按期计数（含覆盖率）"
    FIRST_AGENDA = "first_agenda", "党委会须有第一议题"
    PRE_REVIEW = "pre_review", "三重一大事项须先经党委前置研究"
    PRE_APPOINTMENT_TALK = "pre_appointment_talk", "任职前须有任前廉政谈话"
    RECTIFICATION = "rectification", "整改须在时限内完成"
    QUORUM = "quorum", "会议须过半数到会"
    BRANCH_STRUCTURE = "branch_structure", "党支部设置（人数、支委会）"
    DEVELOPMENT = "development", "发展党员各环节（时限、顺序）"
    TERM = "term", "党组织按期换届"
    DUES = "dues", "党费按月交纳（欠交）"
    TRAINING_HOURS = "training_hours", "党员教育培训学时（按在册月份折算）"


def _labels(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(v, v)) for v in conditions.as_list(values)]


PERIODIC_CHECKS = (Check.COUNT, Check.BRANCH_STRUCTURE, Check.TERM, Check.DUES,
                   Check.TRAINING_HOURS)  # judged per period; the others per event


class ObligationRule(RecordBase):
    rule_id = models.CharField("规则编号", max_length=64, db_index=True,
                               help_text="稳定的编号，如 branch.committee_meeting；修订时保持不变")
    unit = models.ForeignKey(
        "org.Unit", verbose_name="适用单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="留空为默认规则（适用于全部单位）；填写后仅适用于该单位及其下级，并取代同编号的默认规则",
    )
    name = models.CharField("规则名称", max_length=100)
    responsibility = models.CharField("责任制", max_length=20, choices=Responsibility.choices)
    check_type = models.CharField("检查方式", max_length=24, choices=Check.choices, default=Check.COUNT)
    subject = models.CharField("检查对象", max_length=16, choices=SubjectKind.choices)
    subject_filter = models.CharField(
        "对象条件", max_length=300, blank=True,
        help_text="如 kinds=branch; with_committee=是 。人员可用 levels=leadership,middle; key_post=是; party_member=是（取并集）",
    )
    record_type = models.CharField("满足记录类型", max_length=40, blank=True, help_text="记录类型编号，如 branch_activity")
    record_filter = models.CharField("记录条件", max_length=300, blank=True, help_text="如 kind=committee_meeting")
    link = models.CharField(
        "关联方式", max_length=200, blank=True,
        help_text="记录如何对应到对象：party_org（记录的党组织即该对象）、people（谈话对象包含该人）、"
                  "unit=unit（记录的单位即对象所在单位）、lecturer=secretary（授课人为该组织书记）",
    )
    cadence = models.CharField("频次", max_length=16, choices=Cadence.choices)
    min_count = models.PositiveSmallIntegerField("每期最少次数", default=1)
    grace_days = models.PositiveSmallIntegerField("宽限天数", default=0, help_text="期末之后再过几天才算逾期（留出补录时间）")
    warning_days = models.PositiveSmallIntegerField("提前预警天数", default=7)
    params = models.CharField("其他参数", max_length=300, blank=True, help_text="如 window_days=180（任前谈话须在任职前180天内）")
    source = models.CharField("依据", max_length=200, help_text="法规或制度名称")
    article = models.CharField("条款", max_length=100, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="留空表示现行有效")

    class Meta:
        verbose_name = "检查规则"
        verbose_name_plural = "检查规则"
        ordering = ["rule_id", "effective_from"]
        indexes = [models.Index(fields=["rule_id", "effective_from"])]

    def __str__(self):
        return f"{self.name}（{self.rule_id}）"

    # --- parsed views of the text fields ---------------------------------------------------------
    @property
    def subject_conditions(self) -> dict:
        return conditions.parse(self.subject_filter)

    @property
    def record_conditions(self) -> dict:
        return conditions.parse(self.record_filter)

    @property
    def link_pairs(self) -> list[tuple[str, str]]:
        return conditions.link_pairs(self.link)

    @property
    def parameters(self) -> dict:
        return conditions.parse(self.params)

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def requirement_text(self) -> str:
        """'每月不少于1次' — the rule in words, for pages and reports."""
        if self.check_type != Check.COUNT:
            return self.get_check_type_display()
        return f"{self.get_cadence_display()}不少于{self.min_count}次"

    @property
    def source_text(self) -> str:
        return " ".join(p for p in (self.source, self.article, self.document_number) if p)

    @property
    def subject_text(self) -> str:
        """Who owes the rule, in words: 设支部委员会的党支部, 中层干部、班子成员、人财物关键岗位人员 …"""
        from lvzhi.org.models import CadreLevel, PartyOrgKind, UnitCategory, UnitKind

        cond = self.subject_conditions
        if self.subject == SubjectKind.PARTY_ORG:
            kinds = "、".join(_labels(PartyOrgKind, cond.get("kinds"))) or "党组织"
            prefix = "设支部委员会的" if cond.get("with_committee") is True else ""
            suffix = "（书记）" if cond.get("with_secretary") is True else ""
            return f"{prefix}{kinds}{suffix}"
        if self.subject == SubjectKind.PERSON:
            parts = _labels(CadreLevel, cond.get("levels"))
            if cond.get("key_post") is True:
                parts.append("人财物关键岗位人员")
            if cond.get("party_member") is True:
                parts.append("党员")
            text = "、".join(parts) or "人员"
            if cond.get("exclude_secretary_of"):
                text += f"（不含{'、'.join(_labels(PartyOrgKind, cond['exclude_secretary_of']))}书记本人）"
            return text
        if self.subject == SubjectKind.UNIT:
            cats = "、".join(_labels(UnitCategory, cond.get("categories")))
            return f"{cats}{'、'.join(_labels(UnitKind, cond.get('kinds'))) or '单位'}"
        if self.subject == SubjectKind.CONTACT_POINT:
            return "领导干部联系点"
        return self.get_check_type_display()

    @property
    def record_text(self) -> str:
        """What satisfies the rule, in words: 支部活动（活动类别：支部委员会）."""
        from lvzhi.records import registry

        if not self.record_type:
            return ""
        try:
            rt = registry.get(self.record_type)
        except LookupError:
            return self.record_type
        parts = []
        for key, value in self.record_conditions.items():
            name = key.removesuffix("__in")
            try:
                f = rt.model._meta.get_field(name)
            except Exception:  # a lookup across a relation: show it as written
                parts.append(f"{key}={value}")
                continue
            shown = "、".join(str(dict(f.flatchoices).get(v, "是" if v is True else "否" if v is False else v))
                             for v in conditions.as_list(value))
            parts.append(f"{f.verbose_name}：{shown}")
        return f"{rt.verbose_name}（{'；'.join(parts)}）" if parts else rt.verbose_name

    # --- validation --------------------------------------------------------------------------------
    def clean(self):
        from lvzhi.records import registry

        errors: dict[str, str] = {}
        for field in ("subject_filter", "record_filter", "link", "params"):
            try:
                conditions.parse(getattr(self, field))
            except ValueError as exc:
                errors[field] = str(exc)
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = "失效日期不能早于生效日期。"
        periodic = self.check_type in PERIODIC_CHECKS
        if periodic and self.cadence == Cadence.EVENT:
            errors["cadence"] = "按期检查的规则须选择周期（每周/每月/…），不能为“逐项”。"
        elif not periodic and self.cadence and self.cadence != Cadence.EVENT:
            errors["cadence"] = "逐项检查的规则，频次应为“逐项（每件事）”。"
        if self.record_type:
            try:
                rt = registry.get(self.record_type)
            except LookupError as exc:
                errors["record_type"] = str(exc)
            else:
                if "record_filter" not in errors:
                    try:
                        conditions.check_filter(rt.model, self.record_conditions)
                    except ValidationError as exc:
                        errors["record_filter"] = exc.messages[0]
                if "link" not in errors:
                    for path, _ in self.link_pairs:
                        try:
                            conditions.check_filter(rt.model, {f"{path}__isnull": False})
                        except ValidationError:
                            errors["link"] = f"“{rt.verbose_name}”没有字段“{path}”。"
        elif self.check_type == Check.COUNT:
            errors["record_type"] = "按期计数的规则须指明满足它的记录类型。"
        if not errors and self.rule_id and self.effective_from:
            overlapping = ObligationRule.objects.filter(
                rule_id=self.rule_id, unit_id=self.unit_id,
            ).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from)).exclude(pk=self.pk)
            if self.effective_to:
                overlapping = overlapping.filter(effective_from__lte=self.effective_to)
            if overlapping.exists():
                errors["effective_from"] = ("同一编号、同一适用单位的规则已有一个版本在此期间有效；"
                                            "修订规则请使用“修订（生成新版本）”。")
        if errors:
            raise ValidationError(errors)



class StoredResult(models.Model):
    """One rule × subject × period of a year's check as last computed (``obligations.stored``), kept up to date
    by the writes that touch it. The state is not stored when it follows the calendar: it is judged when read
    from the count, the requirement, the due date and the warning start, for any as-of on or after the day it
    was computed (until ``stale_from``)."""

    year = models.PositiveSmallIntegerField("年度")
    rule_id = models.CharField("规则编号", max_length=64)
    version = models.ForeignKey(ObligationRule, on_delete=models.CASCADE, related_name="+",
                                verbose_name="判定版本")
    seq = models.PositiveIntegerField("顺序", default=0)
    subject_kind = models.CharField("对象类别", max_length=16)
    subject_type = models.CharField("对象记录类型", max_length=40, blank=True)
    subject_pk = models.IntegerField("对象")
    subject_label = models.CharField("对象名称", max_length=300)
    masked_label = models.CharField("保密时的对象名称", max_length=300, blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="单位")
    period_key = models.CharField("期间", max_length=24)
    period_start = models.DateField("期间开始")
    period_end = models.DateField("期间结束")
    period_label = models.CharField("期间名称", max_length=60)
    period_short = models.CharField("期间简称", max_length=20)
    fixed_state = models.CharField("状态（不随日期变化时）", max_length=10, blank=True)
    count = models.IntegerField("次数", default=0)
    required = models.IntegerField("应有次数", default=1)
    due = models.DateField("到期日", null=True, blank=True)
    warn_from = models.DateField("预警开始", null=True, blank=True)
    record_type = models.CharField("记录类型", max_length=40, blank=True)
    record_ids = models.TextField("满足的记录", blank=True)
    detail = models.TextField("说明", blank=True)
    masked_detail = models.TextField("保密时的说明", blank=True)
    stale_from = models.DateField("自该日起需重算", null=True, blank=True)
    computed_on = models.DateField("计算日期")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "检查结果（存储）"
        verbose_name_plural = "检查结果（存储）"
        indexes = [models.Index(fields=["year", "rule_id", "unit"]), models.Index(fields=["year", "unit"])]


class StoredYear(models.Model):
    """A year whose results are stored for the whole tree (set by a full ``lvzhi recompute``); writes keep it."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    complete = models.BooleanField("完整", default=False)
    computed_at = models.DateTimeField("全量计算时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查结果年度"
        verbose_name_plural = "检查结果年度"


class StoredCount(models.Model):
    """How many stored rows (``StoredResult``) share what their state as of a day depends on, per year, rule,
    version and unit (``obligations.stored_counts``): the 合规看板's counts of a whole group read these few rows
    instead of every stored row. Kept with the rows, in the same transactions. ``due`` and ``warn_from`` are
    kept only for open cells (neither fixed nor done: their state follows the calendar); ``computed_at`` is the
    latest computation of any row counted here."""

    year = models.PositiveSmallIntegerField("年度")
    rule_id = models.CharField("规则编号", max_length=64)
    version = models.ForeignKey(ObligationRule, on_delete=models.CASCADE, related_name="+",
                                verbose_name="判定版本")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="单位")
    fixed_state = models.CharField("状态（不随日期变化时）", max_length=10, blank=True)
    done = models.BooleanField("已完成", default=False)
    due = models.DateField("到期日", null=True, blank=True)
    warn_from = models.DateField("预警开始", null=True, blank=True)
    stale_from = models.DateField("自该日起需重算", null=True, blank=True)
    computed_on = models.DateField("计算日期")
    n = models.IntegerField("结果数")
    computed_at = models.DateTimeField("最近计算时间")

    class Meta:
        verbose_name = "检查结果计数（存储）"
        verbose_name_plural = "检查结果计数（存储）"
        indexes = [models.Index(fields=["year", "unit"]), models.Index(fields=["year", "rule_id", "unit"])]

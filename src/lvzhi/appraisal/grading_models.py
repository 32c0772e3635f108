"""党支部分类定级 (branch grading) as data: a scheme for a year and an organisation's subtree, its indicators of a
few kinds with weights, the level thresholds, and the scores a committee enters by hand.

A scheme without a unit is the default for every organisation, without a year for every year; the scheme that
grades a unit's branches for a year is the most specific one (``grading.scheme_for``). The default is seeded by
the data migration ``0004_default_grading_scheme``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def plain(d) -> str:
    """A decimal as people write it: 45, 2.5, 100 (never 45.00 or 1E+2)."""
    return "" if d is None else f"{d.normalize():f}"


class IndicatorKind(models.TextChoices):
    CHECKS = "checks", "检查规则完成率"
    RATING = "rating", "述职评议测评得分"
    RECORDS = "records", "记录数对照目标"
    MANUAL = "manual", "人工评分"
    VETO = "veto", "否决项（问责）"


class GradingScheme(models.Model):
    """How branches are graded: levels with their minimum scores, and the indicators (``GradingIndicator``)."""

    unit = models.ForeignKey("org.Unit", verbose_name="适用单位", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="grading_schemes", help_text="留空为默认方案，适用于所有单位")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, help_text="留空为各年度通用")
    name = models.CharField("方案名称", max_length=200)
    levels = models.JSONField("等次分数线", default=dict,
                              help_text="每个等次的最低分，如 {\"先进\": 95, \"较好\": 85, \"一般\": 70, \"后进\": 0}")
    source = models.TextField("依据", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "党支部分类定级方案"
        verbose_name_plural = "党支部分类定级方案"
        ordering = ["unit__path", "-year"]
        # One scheme per unit and year; the rows with an empty unit or year are kept unique by the services.
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unique_grading_scheme")]

    def __str__(self) -> str:
        return self.name

    def ordered_levels(self) -> list[tuple[str, float]]:
        """Levels from the best down (JSON objects keep no order in PostgreSQL: the minimum scores give it)."""
        return sorted(((k, v) for k, v in (self.levels or {}).items()), key=lambda kv: -kv[1])

    def clean(self):
        levels = self.levels or {}
        if len(levels) < 2 or not all(isinstance(k, str) and k.strip() and isinstance(v, (int, float))
                                      and not isinstance(v, bool) and 0 <= v <= 100 for k, v in levels.items()):
            raise ValidationError({"levels": "等次分数线须至少两个等次，每个等次给一个0到100之间的最低分。"})
        if len(set(levels.values())) != len(levels):
            raise ValidationError({"levels": "各等次的最低分不能相同。"})
        if min(levels.values()) != 0:
            raise ValidationError({"levels": "最低一个等次的最低分须为0（每个得分都要有等次）。"})


class GradingIndicator(models.Model):
    """One indicator of a scheme. ``checks``: the share of judged cells done for the rules named (the branch's own
    cells and its 党小组's); ``rating``: the branch secretary's 测评得分 in the year's closed 述职评议;
    ``records``: records of a type (and kind) against a target per year, pro-rated for a branch that existed
    part of the year; ``manual``: a score entered per branch; ``veto``: a 问责 of a member of the branch in the
    year caps the level."""

    scheme = models.ForeignKey(GradingScheme, verbose_name="方案", on_delete=models.CASCADE,
                               related_name="indicators")
    name = models.CharField("指标", max_length=100)
    kind = models.CharField("类别", max_length=16, choices=IndicatorKind.choices)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2, default=0)
    rule_ids = models.JSONField("检查规则", default=list, blank=True)
    record_type = models.CharField("记录类型", max_length=50, blank=True)
    record_kind = models.CharField("记录类别", max_length=50, blank=True, help_text="留空为该类型的全部记录")
    target = models.DecimalField("年度目标数", max_digits=8, decimal_places=2, null=True, blank=True)
    cap = models.CharField("否决后最高等次", max_length=20, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "分类定级指标"
        verbose_name_plural = "分类定级指标"
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="unique_grading_indicator")]

    def __str__(self) -> str:
        return self.name

    weight_text = property(lambda self: plain(self.weight))
    target_text = property(lambda self: plain(self.target))

    def clean(self):
        errors = {}
        if self.kind == IndicatorKind.VETO:
            if self.scheme_id and self.cap not in (self.scheme.levels or {}):
                errors["cap"] = f"否决项“{self.name}”须写明否决后最高等次，且为方案中的等次之一。"
        elif self.weight is None or self.weight <= 0:
            errors["weight"] = f"指标“{self.name}”的权重须大于0。"
        if self.kind == IndicatorKind.CHECKS and not self.rule_ids:
            errors["rule_ids"] = f"指标“{self.name}”须至少选择一条检查规则。"
        if self.kind == IndicatorKind.RECORDS:
            from .grading_sources import record_sources

            if (self.record_type, self.record_kind) not in record_sources():
                errors["record_type"] = f"指标“{self.name}”的记录类型不可用（须为带党组织和日期的记录）。"
            if self.target is None or self.target <= 0:
                errors["target"] = f"指标“{self.name}”须填写大于0的年度目标数。"
        if errors:
            raise ValidationError(errors)


class ManualScore(models.Model):
    """A score a committee gives a branch on a ``manual`` indicator (0–100), with its reason."""

    indicator = models.ForeignKey(GradingIndicator, verbose_name="指标", on_delete=models.CASCADE,
                                  related_name="manual_scores")
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党组织", on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2)
    note = models.CharField("评分说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "人工评分"
        verbose_name_plural = "人工评分"
        constraints = [models.UniqueConstraint(fields=["indicator", "party_org"], name="unique_manual_score")]

    score_text = property(lambda self: plain(self.score))

    def clean(self):
        if self.score is None or not 0 <= self.score <= 100:
            raise ValidationError({"score": "得分须在0到100之间。"})

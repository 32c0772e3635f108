"""述职评议考核 (duty appraisal): a campaign for a year and a unit, who reports, the rating groups with their
weights, the indicators, the grade thresholds — all data — and the anonymous ballots, the 点评 problems and
their rectification.

Ballot secrecy is a property of the tables: a one-time code (``BallotCode``) is stored only as a keyed hash and
names no participant (the printed list that pairs names and codes is never stored); casting deletes the code
and writes a ``Ballot`` with a random id, no time and no link to anyone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Rating(models.TextChoices):
    GOOD = "好", "好"
    FAIRLY_GOOD = "较好", "较好"
    AVERAGE = "一般", "一般"
    POOR = "差", "差"


RATINGS = [r.value for r in Rating]
DEFAULT_POINTS = {"好": 100, "较好": 80, "一般": 60, "差": 0}
DEFAULT_COMPONENTS = {"测评": 30, "日常考核": 40, "指标": 30}
DEFAULT_THRESHOLDS = {"好": 90, "较好": 80, "一般": 60, "差": 0}
COMPONENTS = ("测评", "日常考核", "指标")


class AppraisalStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    OPEN = "open", "测评中"
    CLOSED = "closed", "已结束"


class Appraisal(models.Model):
    """One 述职评议 of a unit for a year."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="appraisals")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    meeting_date = models.DateField("述职评议会日期")
    status = models.CharField("状态", max_length=16, choices=AppraisalStatus.choices, default=AppraisalStatus.DRAFT)
    turnout_numerator = models.PositiveSmallIntegerField("有效参会比例（分子）", default=2)
    turnout_denominator = models.PositiveSmallIntegerField("有效参会比例（分母）", default=3,
                                                           help_text="收回选票不足应到人数的该比例时，测评无效")
    min_group_size = models.PositiveSmallIntegerField("分组结果最少票数", default=5,
                                                      help_text="某评议组收回选票少于该数时，不单独显示该组结果")
    rating_points = models.JSONField("评价分值", default=dict, help_text="如 {\"好\": 100, \"较好\": 80, \"一般\": 60, \"差\": 0}")
    component_weights = models.JSONField("综合评价权重", default=dict,
                                         help_text="如 {\"测评\": 30, \"日常考核\": 40, \"指标\": 30}")
    grade_thresholds = models.JSONField("等次分数线", default=dict,
                                        help_text="每个等次的最低分，如 {\"好\": 90, \"较好\": 80, \"一般\": 60, \"差\": 0}")
    closed_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unique_appraisal_per_unit_year")]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        points = self.rating_points or {}
        if set(points) != set(RATINGS) or not all(isinstance(v, (int, float)) for v in points.values()):
            errors["rating_points"] = "评价分值须为“好、较好、一般、差”各给一个数。"
        weights = self.component_weights or {}
        if not set(weights) <= set(COMPONENTS) or not weights or \
                not all(isinstance(v, (int, float)) and v >= 0 for v in weights.values()) or not sum(weights.values()):
            errors["component_weights"] = "综合评价权重只能包含“测评、日常考核、指标”，且为不小于0的数、合计大于0。"
        thresholds = self.grade_thresholds or {}
        if set(thresholds) != set(RATINGS) or not all(isinstance(v, (int, float)) for v in thresholds.values()):
            errors["grade_thresholds"] = "等次分数线须为“好、较好、一般、差”各给一个最低分。"
        elif not thresholds["好"] >= thresholds["较好"] >= thresholds["一般"] >= thresholds["差"]:
            errors["grade_thresholds"] = "等次分数线须从“好”到“差”依次不升高。"
        if not self.turnout_denominator or self.turnout_numerator > self.turnout_denominator:
            errors["turnout_denominator"] = "有效参会比例须在0与1之间。"
        if errors:
            raise ValidationError(errors)

    @property
    def results_open(self) -> bool:
        return self.status == AppraisalStatus.CLOSED


class RatingGroup(models.Model):
    """A group of participants (党委委员, 党员代表, 职工代表 …) with its weight and expected attendance."""

    appraisal = models.ForeignKey(Appraisal, verbose_name="述职评议", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("评议组", max_length=50)
    weight = models.DecimalField("权重", max_digits=6, decimal_places=2)
    expected = models.PositiveIntegerField("应到人数")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评议组"
        verbose_name_plural = "评议组"
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "name"], name="unique_rating_group")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A rated indicator besides the overall rating (e.g. 抓基层党建成效, 履行全面从严治党责任)."""

    appraisal = models.ForeignKey(Appraisal, verbose_name="述职评议", on_delete=models.CASCADE,
                                  related_name="indicators")
    name = models.CharField("测评指标", max_length=100)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "测评指标"
        verbose_name_plural = "测评指标"
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "name"], name="unique_indicator")]

    def __str__(self) -> str:
        return self.name


class ReporteeRole(models.TextChoices):
    COMMITTEE_SECRETARY = "committee_secretary", "党委书记"
    BRANCH_SECRETARY = "branch_secretary", "党支部（党总支）书记"


class Reportee(models.Model):
    """A person who reports (述职) in the appraisal, for a Party organisation."""

    appraisal = models.ForeignKey(Appraisal, verbose_name="述职评议", on_delete=models.CASCADE,
                                  related_name="reportees")
    person = models.ForeignKey("org.Person", verbose_name="述职人", on_delete=models.PROTECT, related_name="+")
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党组织", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey("org.Unit", verbose_name="所在单位", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("述职类别", max_length=24, choices=ReporteeRole.choices)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    comment = models.TextField("点评意见", blank=True)

    class Meta:
        verbose_name = "述职人"
        verbose_name_plural = "述职人"
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "person", "party_org"], name="unique_reportee")]

    def __str__(self) -> str:
        org = self.party_org.name if self.party_org is not None else self.unit.name
        return f"{org}书记 {self.person.name}" if self.party_org_id else f"{org} {self.person.name}"


class BallotCode(models.Model):
    """A one-time code, stored only as a keyed hash. It names no participant: the printed list that pairs
    names and codes is shown once and never stored. Casting deletes the row."""

    appraisal = models.ForeignKey(Appraisal, verbose_name="述职评议", on_delete=models.CASCADE, related_name="codes")
    group = models.ForeignKey(RatingGroup, verbose_name="评议组", on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField("测评码摘要", max_length=64, unique=True)

    class Meta:
        verbose_name = "测评码"
        verbose_name_plural = "测评码"


class BallotSource(models.TextChoices):
    ONLINE = "online", "网上测评"
    PAPER = "paper", "纸质选票"


class Ballot(models.Model):
    """One cast ballot: a random id, its group and the marks — no time, no participant, no code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appraisal = models.ForeignKey(Appraisal, verbose_name="述职评议", on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(RatingGroup, verbose_name="评议组", on_delete=models.PROTECT, related_name="ballots")
    source = models.CharField("来源", max_length=8, choices=BallotSource.choices)
    paper_number = models.CharField("纸质选票编号", max_length=32, blank=True)
    marks = models.JSONField("评价", default=dict,
                             help_text="述职人编号 → {\"总体\": 评价, 指标编号: 评价}；未评的（弃权）不写")

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"


class ProblemCategory(models.TextChoices):
    POLITICAL = "political", "政治建设"
    THEORY = "theory", "思想理论武装"
    ORGANISATION = "organisation", "基层组织建设"
    CONDUCT = "conduct", "作风建设"
    DISCIPLINE = "discipline", "纪律建设与全面从严治党"
    INTEGRATION = "integration", "党建与业务融合"
    IDEOLOGY = "ideology", "意识形态工作"
    OTHER = "other", "其他"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "整改中"
    DONE = "done", "已完成"


class AppraisalProblem(models.Model):
    """A problem the higher secretary named in 点评, and its rectification (整改) — tracked by the obligation
    engine (rule ``appraisal.rectification``): due soon, late, done with its evidence."""

    reportee = models.ForeignKey(Reportee, verbose_name="述职人", on_delete=models.CASCADE, related_name="problems")
    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    description = models.CharField("问题", max_length=300)
    category = models.CharField("类别", max_length=16, choices=ProblemCategory.choices, default=ProblemCategory.OTHER)
    owner = models.ForeignKey("org.Person", verbose_name="整改责任人", on_delete=models.PROTECT, related_name="+")
    measures = models.TextField("整改措施")
    date = models.DateField("提出日期")
    deadline = models.DateField("整改时限")
    status = models.CharField("状态", max_length=8, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    evidence = models.TextField("完成佐证", blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "述职评议问题整改"
        verbose_name_plural = "述职评议问题整改"
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return self.description

    def clean(self):
        errors = {}
        if self.deadline and self.date and self.deadline < self.date:
            errors["deadline"] = "整改时限不能早于提出日期。"
        if self.status == ProblemStatus.DONE and not self.completed_on:
            errors["completed_on"] = "已完成的整改须填写完成日期。"
        if self.status == ProblemStatus.DONE and not self.evidence.strip():
            errors["evidence"] = "已完成的整改须写明完成佐证。"
        if errors:
            raise ValidationError(errors)


from .grading_models import GradingIndicator, GradingScheme, IndicatorKind, ManualScore  # noqa: E402,F401

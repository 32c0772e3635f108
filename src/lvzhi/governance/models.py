"""三重一大 matters, the company's pre-review list (前置研究讨论事项清单) and the committee's pre-reviews."""

from __future__ import annotations

from django.db import models

from lvzhi.records.fields import unit_fk
from lvzhi.records.models import RecordBase
from lvzhi.reports.phrasing import exact


class MatterCategory(models.TextChoices):
    DECISION = "decision", "重大决策"
    PERSONNEL = "personnel", "重要人事任免"
    PROJECT = "project", "重大项目安排"
    FUNDS = "funds", "大额度资金运作"


class PreReviewRule(RecordBase):
    """One line of the 前置研究讨论事项清单: which matters the Party committee must discuss first."""

    unit = unit_fk("适用单位")
    code = models.CharField("清单编号", max_length=32)
    matter_type = models.CharField("事项类型", max_length=100, help_text="与“三重一大”事项的事项类型一致时适用，如：物资项目采购")
    category = models.CharField("三重一大类别", max_length=16, choices=MatterCategory.choices)
    threshold = models.DecimalField("金额门槛（万元）", max_digits=14, decimal_places=2, null=True, blank=True,
                                    help_text="留空表示不论金额一律前置研究")
    source = models.CharField("依据文件", max_length=200)
    document_number = models.CharField("文号", max_length=100, blank=True)
    date = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "前置研究讨论事项清单"
        verbose_name_plural = "前置研究讨论事项清单"
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="unique_prereview_rule_code")]

    def __str__(self):
        limit = f"≥{exact(self.threshold)}万元" if self.threshold is not None else "不限金额"
        return f"{self.matter_type}（{limit}）"

    def catches(self, matter: "MajorMatter") -> bool:
        if matter.category != self.category or matter.matter_type != self.matter_type:
            return False
        if self.threshold is not None and (matter.amount is None or matter.amount < self.threshold):
            return False
        return self.date <= matter.date and (self.effective_to is None or matter.date <= self.effective_to)


class DecisionBody(models.TextChoices):
    BOARD = "board", "董事会"
    MANAGEMENT = "management", "经理层（总经理办公会）"
    SHAREHOLDERS = "shareholders", "股东会"


class MajorMatter(RecordBase):
    unit = unit_fk()
    number = models.CharField("议题编号", max_length=32)
    title = models.CharField("议题名称", max_length=300)
    proposer = models.CharField("提出部门", max_length=100)
    category = models.CharField("三重一大类别", max_length=16, choices=MatterCategory.choices)
    matter_type = models.CharField("事项类型", max_length=100)
    amount = models.DecimalField("金额（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    decision_body = models.CharField("决策机构", max_length=16, choices=DecisionBody.choices)
    date = models.DateField("决策日期")
    votes_for = models.PositiveSmallIntegerField("同意", default=0)
    votes_against = models.PositiveSmallIntegerField("反对", default=0)
    votes_abstain = models.PositiveSmallIntegerField("弃权", default=0)
    recusals = models.CharField("回避情况", max_length=200, blank=True)
    observers = models.CharField("列席人员", max_length=200, blank=True, help_text="如：纪委书记、总法律顾问")
    compliance_reviewed = models.BooleanField("经合规审核", default=False)
    involves_staff_rights = models.BooleanField("涉及职工权益", default=False)
    result = models.CharField("决策结果", max_length=16, default="approved",
                              choices=[("approved", "通过"), ("rejected", "未通过"), ("deferred", "暂缓")])

    class Meta:
        verbose_name = "三重一大事项"
        verbose_name_plural = "三重一大事项"
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="unique_major_matter_number")]
        indexes = [models.Index(fields=["unit", "date"])]

    def __str__(self):
        return f"{self.number} {self.title}"

    def catching_rule(self) -> PreReviewRule | None:
        """The pre-review rule (of this unit or a unit above it) that requires a pre-review of this matter."""
        paths = [self.unit.path[:i] for i in range(len(self.unit.path), 0, -self.unit.steplen)]
        for rule in PreReviewRule.objects.filter(unit__path__in=paths, category=self.category,
                                                 matter_type=self.matter_type):
            if rule.catches(self):
                return rule
        return None

    def pre_review_gap(self) -> str:
        """Why this matter breaks the pre-review list, or '' when it does not."""
        rule = self.catching_rule()
        if rule is None:
            return ""
        reviews = [r for r in self.pre_reviews.all()]
        if any(r.date < self.date for r in reviews):
            return ""
        if reviews:
            return f"属于前置研究讨论清单“{rule}”，但党委前置研究（{min(r.date for r in reviews)}）晚于决策日期（{self.date}）。"
        return f"属于前置研究讨论清单“{rule}”，但没有党委前置研究讨论记录。"


class PreReview(RecordBase):
    matter = models.ForeignKey(MajorMatter, verbose_name="三重一大事项", on_delete=models.PROTECT, related_name="pre_reviews")
    unit = unit_fk(derived=True)
    meeting = models.ForeignKey("partybuilding.CommitteeMeeting", verbose_name="党委会", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="pre_reviews")
    date = models.DateField("前置研究日期")
    conclusion = models.CharField("研究意见", max_length=16, default="agree",
                                  choices=[("agree", "同意提交决策"), ("amend", "修改完善后提交"), ("disagree", "不同意")])

    class Meta:
        verbose_name = "党委前置研究"
        verbose_name_plural = "党委前置研究"

    def __str__(self):
        return f"前置研究：{self.matter}"

    def fill_derived(self):
        if self.matter_id and not self.unit_id:
            self.unit_id = self.matter.unit_id
        if self.meeting_id and not self.date:
            self.date = self.meeting.date

"""A member's Party life as dated events, and posts in Party organisations with dates.

Who belongs to an organisation on a day is *derived* from these rows (``selectors.roster``); a person's current
organisation and status (``Person.party_org``, ``Person.party_status``) follow from the latest event and are kept
in step by ``services.sync_people`` — they are never typed in beside the events.

Dates mean one thing everywhere: an event takes effect on its date (on a transfer's date the member already
belongs to the receiving organisation); a post's ``end_on`` is the last day it is held.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from lvzhi.records.fields import unit_fk
from lvzhi.records.models import RecordBase


class EventKind(models.TextChoices):
    ENROLLED = "enrolled", "期初登记"
    ADMITTED = "admitted", "入党（预备党员）"
    FULL = "full", "转正"
    TRANSFER = "transfer", "组织关系转接"
    FLOWING_OUT = "flowing_out", "外出流动"
    FLOWING_BACK = "flowing_back", "流动结束"
    SUSPENDED = "suspended", "停止党籍"
    RESTORED = "restored", "恢复党籍"
    EXPELLED = "expelled", "出党（开除、除名、退党）"
    DIED = "died", "去世"


class MemberStatus(models.TextChoices):
    MEMBER = "member", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


# Events after which the person is no longer on any roster.
LEAVING = {EventKind.SUSPENDED, EventKind.EXPELLED, EventKind.DIED}


class MembershipEvent(RecordBase):
    person = models.ForeignKey("org.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="party_events")
    kind = models.CharField("事项", max_length=16, choices=EventKind.choices)
    date = models.DateField("日期", null=True, blank=True,
                            help_text="自该日起生效；仅“期初登记”可留空（表示在有记录之前就已在册）")
    party_org = models.ForeignKey(
        "org.PartyOrg", verbose_name="党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="入党、期初登记：所在党组织；组织关系转接：转入的党组织（转出到系统外时留空）",
    )
    from_org = models.ForeignKey(
        "org.PartyOrg", verbose_name="转出党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="组织关系转接：从本系统哪个党组织转出（从系统外转入时留空）",
    )
    counterpart = models.CharField("系统外党组织", max_length=200, blank=True, default="",
                                   help_text="转入时的来源或转出时的去向（本系统以外的党组织名称）；外出流动时为流入地")
    letter_number = models.CharField("介绍信编号", max_length=64, blank=True, default="")
    status = models.CharField("身份", max_length=16, choices=MemberStatus.choices, blank=True, default="",
                              help_text="期初登记、从系统外转入时的身份；留空按正式党员")
    unit = unit_fk(derived=True)

    class Meta:
        verbose_name = "党籍变动"
        verbose_name_plural = "党籍变动"
        ordering = ["person", "date", "pk"]
        indexes = [models.Index(fields=["party_org", "date"]), models.Index(fields=["from_org", "date"]),
                   models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.person}：{self.kind_label}（{self.date or '期初'}）"

    @property
    def kind_label(self) -> str:
        if self.kind == EventKind.TRANSFER:
            if self.from_org_id and self.party_org_id:
                return "组织关系内部转接"
            return "组织关系转出" if self.from_org_id else "组织关系转入"
        return self.get_kind_display()

    def fill_derived(self):
        org = self.party_org if self.party_org_id else (self.from_org if self.from_org_id else None)
        if org is not None:
            self.unit_id = org.unit_id
        elif self.person_id and not self.unit_id:
            self.unit_id = self.person.unit_id

    def clean(self):
        errors = {}
        if self.date is None and self.kind != EventKind.ENROLLED:
            errors["date"] = "请填写日期（只有“期初登记”可以不填）。"
        if self.kind in (EventKind.ENROLLED, EventKind.ADMITTED) and not self.party_org_id:
            errors["party_org"] = f"“{self.get_kind_display()}”须填写所在党组织。"
        if self.kind == EventKind.TRANSFER:
            if not self.party_org_id and not self.from_org_id:
                errors["party_org"] = "组织关系转接须至少填写转入或转出的党组织之一（另一方在系统外时填写“系统外党组织”）。"
            elif self.party_org_id and self.party_org_id == self.from_org_id:
                errors["party_org"] = "转入与转出是同一个党组织。"
            elif not (self.party_org_id and self.from_org_id) and not self.counterpart:
                errors["counterpart"] = "与系统外党组织转接时，请填写对方党组织名称。"
        if errors:
            raise ValidationError(errors)


class PostRole(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    MEMBER = "member", "委员"
    GROUP_LEADER = "group_leader", "党小组组长"


COMMITTEE_ROLES = (PostRole.SECRETARY, PostRole.DEPUTY, PostRole.MEMBER)


class OrgPost(RecordBase):
    """A seat on a Party organisation's committee (书记、副书记、委员) or a group leader's post, with its dates."""

    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT, related_name="posts")
    person = models.ForeignKey("org.Person", verbose_name="任职人", on_delete=models.PROTECT, related_name="party_posts")
    role = models.CharField("职务", max_length=16, choices=PostRole.choices)
    start_on = models.DateField("任职日期", null=True, blank=True, help_text="留空表示在有记录之前就已任职")
    end_on = models.DateField("离任日期", null=True, blank=True, help_text="任职的最后一天；留空表示现任")
    unit = unit_fk(derived=True)

    class Meta:
        verbose_name = "党组织任职"
        verbose_name_plural = "党组织任职"
        ordering = ["party_org", "start_on", "pk"]
        indexes = [models.Index(fields=["party_org", "start_on"])]

    def __str__(self):
        return f"{self.party_org} {self.get_role_display()} {self.person}"

    def fill_derived(self):
        if self.party_org_id:
            self.unit_id = self.party_org.unit_id

    def clean(self):
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "离任日期早于任职日期。"})

    def held_on(self, day) -> bool:
        return (self.start_on is None or self.start_on <= day) and (self.end_on is None or self.end_on >= day)


class GroupMembership(RecordBase):
    """A member's place in a 党小组 from one day to another. The roster of a group on a day (who is expected at its
    党小组会) is its members that day who are also on a Party roll that day."""

    group = models.ForeignKey("org.PartyOrg", verbose_name="党小组", on_delete=models.PROTECT, related_name="+",
                              limit_choices_to={"kind": "group"})
    person = models.ForeignKey("org.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="party_groups")
    start_on = models.DateField("编入日期", null=True, blank=True, help_text="留空表示在有记录之前就已编入")
    end_on = models.DateField("调出日期", null=True, blank=True, help_text="在该党小组的最后一天；留空表示现在仍在")
    unit = unit_fk(derived=True)

    class Meta:
        verbose_name = "党小组成员"
        verbose_name_plural = "党小组成员"
        ordering = ["group", "start_on", "pk"]
        indexes = [models.Index(fields=["group", "start_on"])]

    def __str__(self):
        return f"{self.group} {self.person}"

    def fill_derived(self):
        if self.group_id:
            self.unit_id = self.group.unit_id

    def clean(self):
        if self.group_id and self.group.kind != "group":
            raise ValidationError({"group": f"“{self.group}”不是党小组。"})
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": "调出日期早于编入日期。"})


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    SAT_IN = "sat_in", "列席"


class AbsenceReason(models.TextChoices):
    DUTY = "duty", "因公"
    SICK = "sick", "病假"
    PERSONAL = "personal", "事假"
    FLOWING = "flowing", "外出流动"
    OTHER = "other", "其他"
    NONE = "none", "无故缺席"


class Attendance(RecordBase):
    """One person at one branch meeting: expected and present, absent with a reason, or sitting in (列席, not
    counted). When a meeting has attendance rows, the quorum check counts those present among them."""

    activity = models.ForeignKey("partybuilding.BranchActivity", verbose_name="支部活动", on_delete=models.CASCADE,
                                 related_name="attendance")
    person = models.ForeignKey("org.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("到会情况", max_length=16, choices=AttendanceStatus.choices)
    reason = models.CharField("缺席原因", max_length=16, choices=AbsenceReason.choices, blank=True, default="")
    unit = unit_fk(derived=True)

    class Meta:
        verbose_name = "到会情况"
        verbose_name_plural = "到会情况"
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="one_attendance_per_person")]

    def __str__(self):
        return f"{self.person}：{self.get_status_display()}"

    def fill_derived(self):
        if self.activity_id:
            self.unit_id = self.activity.unit_id

    def clean(self):
        if self.status == AttendanceStatus.ABSENT and not self.reason:
            raise ValidationError({"reason": "缺席时请选择缺席原因（因公、病假、事假……）。"})
        if self.status != AttendanceStatus.ABSENT and self.reason:
            raise ValidationError({"reason": "只有缺席时填写缺席原因。"})


def parse_assessments(text: str) -> list:
    """The dates of ``Development.assessment_dates`` (separated by 、，or ,), sorted."""
    import datetime as dt

    out = []
    for part in text.replace("，", "、").replace(",", "、").split("、"):
        part = part.strip()
        if part:
            out.append(dt.date.fromisoformat(part))
    return sorted(out)


class Development(RecordBase):
    """One person's way into the Party (发展党员): 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员, each
    step dated. The checks (``development`` rules) find steps missing, out of order or late."""

    person = models.ForeignKey("org.Person", verbose_name="申请人", on_delete=models.PROTECT, related_name="developments")
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党支部", on_delete=models.PROTECT, related_name="+")
    unit = unit_fk(derived=True)
    applied_on = models.DateField("递交入党申请书日期")
    talked_on = models.DateField("谈话日期", null=True, blank=True, help_text="党组织派人同入党申请人谈话的日期")
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    assessment_dates = models.CharField("培养考察日期", max_length=300, blank=True, default="",
                                        help_text="每半年一次的考察，多个日期用“、”分隔，如 2021-06-30、2021-12-28")
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    training_start = models.DateField("集中培训开始日期", null=True, blank=True)
    training_end = models.DateField("集中培训结束日期", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("集中培训学时", null=True, blank=True)
    publicity_start = models.DateField("公示开始日期", null=True, blank=True)
    publicity_end = models.DateField("公示结束日期", null=True, blank=True)
    branch_meeting_on = models.DateField("支部大会讨论接收日期", null=True, blank=True,
                                         help_text="支部大会通过接收为预备党员之日，预备期自此日算起")
    approved_on = models.DateField("上级党委审批日期", null=True, blank=True)
    full_meeting_on = models.DateField("支部大会讨论转正日期", null=True, blank=True)

    class Meta:
        verbose_name = "发展党员"
        verbose_name_plural = "发展党员"
        ordering = ["applied_on", "pk"]
        indexes = [models.Index(fields=["applied_on"])]

    def __str__(self):
        return f"{self.person}（{self.applied_on}申请入党）"

    def fill_derived(self):
        if self.party_org_id:
            self.unit_id = self.party_org.unit_id

    @property
    def assessments(self) -> list:
        return parse_assessments(self.assessment_dates)

    def clean(self):
        try:
            _ = self.assessments
        except ValueError:
            raise ValidationError({"assessment_dates": "培养考察日期请写成 2021-06-30、2021-12-28 的形式。"}) from None
        if self.training_start and self.training_end and self.training_end < self.training_start:
            raise ValidationError({"training_end": "培训结束日期早于开始日期。"})
        if self.publicity_start and self.publicity_end and self.publicity_end < self.publicity_start:
            raise ValidationError({"publicity_end": "公示结束日期早于开始日期。"})


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    OTHER = "other", "学生及无固定收入"


class DuesPayment(RecordBase):
    """A member's 党费 for one or more months (paid monthly or in advance); the amount due follows from the monthly
    income and the brackets in force (``dues.monthly_dues``)."""

    person = models.ForeignKey("org.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="dues")
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="收缴党组织", on_delete=models.PROTECT, related_name="+")
    unit = unit_fk(derived=True)
    category = models.CharField("交纳类别", max_length=16, choices=DuesCategory.choices, default=DuesCategory.EMPLOYED)
    monthly_income = models.DecimalField("月收入（税后，元）", max_digits=10, decimal_places=2, default=0)
    month_from = models.DateField("起始月份", help_text="所交党费的第一个月（填该月任一天）")
    month_to = models.DateField("截止月份", null=True, blank=True, help_text="预交多个月时填写最后一个月；留空为只交一个月")
    amount_due = models.DecimalField("应交金额（元）", max_digits=10, decimal_places=2, default=0, editable=False)
    amount_paid = models.DecimalField("实交金额（元）", max_digits=10, decimal_places=2)
    paid_on = models.DateField("交纳日期")

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        ordering = ["month_from", "pk"]
        indexes = [models.Index(fields=["person", "month_from"])]

    def __str__(self):
        return f"{self.person} {self.month_from:%Y年%m月}党费"

    def fill_derived(self):
        from .dues import monthly_dues, months_between

        if self.party_org_id:
            self.unit_id = self.party_org.unit_id
        if self.month_from:
            self.month_from = self.month_from.replace(day=1)
            if self.month_to:
                self.month_to = self.month_to.replace(day=1)
            months = len(months_between(self.month_from, self.month_to or self.month_from))
            self.amount_due = monthly_dues(self.monthly_income or 0, self.category) * months

    def clean(self):
        if self.month_from and self.month_to and self.month_to < self.month_from.replace(day=1):
            raise ValidationError({"month_to": "截止月份早于起始月份。"})


class TrainingRecord(RecordBase):
    """Training a member took outside the sessions recorded as 学习 (a 党校 course, online study, a higher committee's
    class): its 学时 count towards the yearly minimum (``training_hours`` checks)."""

    person = models.ForeignKey("org.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="trainings")
    date = models.DateField("培训日期", help_text="多日培训填结束日期（学时计入该日所在年度）")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    title = models.CharField("培训内容", max_length=200)
    organiser = models.CharField("主办单位", max_length=200, blank=True, default="", help_text="如：市委党校、公司党委")
    unit = unit_fk(derived=True)

    class Meta:
        verbose_name = "培训学时"
        verbose_name_plural = "培训学时"
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.person} {self.date} {self.title}（{self.hours}学时）"

    def fill_derived(self):
        if self.person_id and not self.unit_id:
            self.unit_id = self.person.unit_id

    def clean(self):
        if self.hours is not None and self.hours <= 0:
            raise ValidationError({"hours": "学时须大于0。"})

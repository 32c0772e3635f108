"""Records of party-building work (基层党建工作责任制): study, committee meetings, branch life,
leaders' contact points, co-building, honours, external visits and innovation."""

from django.core.exceptions import ValidationError
from django.db import models

from lvzhi.records.fields import Level, people_m2m, person_fk, unit_fk
from lvzhi.records.models import Numbered, RecordBase


class CommitteeMeeting(RecordBase):
    """A meeting of a Party committee (党委会). Its 第一议题 is a StudySession pointing at it."""

    unit = unit_fk(derived=True)
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("会议编号", max_length=32, help_text="如 2022-05（第5次党委会）")
    date = models.DateField("会议日期")
    title = models.CharField("会议名称", max_length=200)
    chair = person_fk("主持人")
    attendees = people_m2m("出席人员")
    expected_count = models.PositiveIntegerField("应到人数", null=True, blank=True, help_text="留空时取党委委员人数")

    class Meta:
        verbose_name = "党委会"
        verbose_name_plural = "党委会"
        constraints = [models.UniqueConstraint(fields=["party_org", "number"], name="unique_meeting_number")]
        indexes = [models.Index(fields=["unit", "date"])]

    def __str__(self):
        return f"{self.title}（{self.number}）"

    def fill_derived(self):
        if self.party_org_id and not self.unit_id:
            self.unit_id = self.party_org.unit_id


class AgendaKind(models.TextChoices):
    PRE_REVIEW = "pre_review", "前置研究讨论"
    IDEOLOGY = "ideology", "意识形态工作"
    PERSONNEL = "personnel", "干部人事"
    PARTY_BUILDING = "party_building", "党建工作"
    INTEGRITY = "integrity", "党风廉政建设"
    OTHER = "other", "其他"


class AgendaItem(RecordBase):
    meeting = models.ForeignKey(CommitteeMeeting, verbose_name="党委会", on_delete=models.CASCADE, related_name="agenda")
    unit = unit_fk(derived=True)
    order = models.PositiveSmallIntegerField("序号", default=1)
    kind = models.CharField("议题类别", max_length=20, choices=AgendaKind.choices, default=AgendaKind.OTHER)
    title = models.CharField("议题", max_length=300)
    date = models.DateField("日期", blank=True, help_text="默认为会议日期")

    class Meta:
        verbose_name = "党委会议题"
        verbose_name_plural = "党委会议题"
        ordering = ["meeting", "order"]

    def __str__(self):
        return self.title

    def fill_derived(self):
        if self.meeting_id:
            self.unit_id = self.unit_id or self.meeting.unit_id
            self.date = self.date or self.meeting.date


class StudyKind(models.TextChoices):
    CENTRAL_GROUP = "central_group", "中心组集体学习"
    CENTRAL_GROUP_SEMINAR = "central_group_seminar", "中心组专题研讨"
    FIRST_AGENDA = "first_agenda", "第一议题"
    FOLLOW_UP = "follow_up", "班子集中跟进学习"
    BRANCH_STUDY = "branch_study", "支部学习"
    EXTERNAL_SPEECH = "external_speech", "外部交流发言"
    OTHER = "other", "其他学习"


class StudySession(RecordBase):
    unit = unit_fk()
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党组织", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("学习类别", max_length=30, choices=StudyKind.choices)
    date = models.DateField("日期")
    title = models.CharField("学习主题", max_length=300)
    materials = models.TextField("学习内容（材料）", blank=True)
    speaker = person_fk("主讲/发言人")
    host = models.CharField("主办方/场合", max_length=200, blank=True,
                            help_text="外部交流发言时填写，如：集团党委理论学习中心组“示范课”")
    meeting = models.ForeignKey(CommitteeMeeting, verbose_name="所在党委会", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="studies", help_text="第一议题必填")
    is_ideology = models.BooleanField("意识形态专题", default=False)
    attendees = people_m2m("参加人员")
    expected_count = models.PositiveIntegerField("应到人数", null=True, blank=True)
    hours = models.DecimalField("每人学时", max_digits=4, decimal_places=1, null=True, blank=True,
                                help_text="每位参加人员计入的培训学时（党员教育培训每年不少于32学时）；留空不计学时")

    class Meta:
        verbose_name = "学习"
        verbose_name_plural = "学习"
        indexes = [models.Index(fields=["kind", "date"]), models.Index(fields=["unit", "date"]),
                   # serves list pages and the API list: ORDER BY date DESC, id DESC LIMIT 50 (newest first)
                   models.Index(fields=["date", "id"], name="studysession_list_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.kind == StudyKind.FIRST_AGENDA and not self.meeting_id:
            raise ValidationError({"meeting": "第一议题学习必须指明所在党委会。"})


class ActivityKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支部委员会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEMED_DAY = "themed_day", "主题党日"
    ORG_LIFE_MEETING = "org_life_meeting", "组织生活会"
    MEMBER_APPRAISAL = "member_appraisal", "民主评议党员"
    HEART_TALK = "heart_talk", "谈心谈话"
    MUTUAL_EXCHANGE = "mutual_exchange", "三互交流"
    OTHER = "other", "其他"


class BranchActivity(Numbered, RecordBase):
    number = models.CharField("活动编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 HD-2022-0012；到会情况等按此编号指明活动")
    NUMBER_PREFIX = "HD"
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    unit = unit_fk(derived=True)
    kind = models.CharField("活动类别", max_length=30, choices=ActivityKind.choices)
    kind_other = models.CharField("其他类别名称", max_length=50, blank=True)
    date = models.DateField("日期")
    title = models.CharField("主题", max_length=300)
    theme = models.CharField("专题", max_length=100, blank=True, help_text="如“四风”（反“四风”主题组织生活会）")
    lecturer = person_fk("授课人/谈话人")
    attendees = people_m2m("参加人员")
    expected_count = models.PositiveIntegerField("应到人数", null=True, blank=True,
                                                 help_text="留空时：支委会取委员数，其余取党员数")

    class Meta:
        verbose_name = "支部活动"
        verbose_name_plural = "支部活动"
        indexes = [models.Index(fields=["kind", "date"]), models.Index(fields=["party_org", "kind", "date"]),
                   # serves list pages and the API list: ORDER BY date DESC, id DESC LIMIT 50 (newest first)
                   models.Index(fields=["date", "id"], name="branchactivity_list_idx")]

    def __str__(self):
        head = f"{self.number} " if self.number else ""
        return f"{head}{self.get_kind_display()}：{self.title}"

    def fill_derived(self):
        if self.party_org_id and not self.unit_id:
            self.unit_id = self.party_org.unit_id

    def clean(self):
        if self.kind == ActivityKind.OTHER and not self.kind_other:
            raise ValidationError({"kind_other": "类别为“其他”时请填写类别名称。"})


class ContactPoint(Numbered, RecordBase):
    number = models.CharField("联系点编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 LXD-2022-0012")
    NUMBER_PREFIX = "LXD"
    leader = person_fk("联系领导", required=True)
    unit = unit_fk("联系单位")
    date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    title = models.CharField("说明", max_length=200, help_text="如：长期困难单位")

    class Meta:
        verbose_name = "联系点"
        verbose_name_plural = "联系点"

    def __str__(self):
        return f"{self.leader} → {self.unit}"


class VisitKind(models.TextChoices):
    RESEARCH = "research", "调研"
    SUPERVISION = "supervision", "督导"


class ContactVisit(RecordBase):
    contact_point = models.ForeignKey(ContactPoint, verbose_name="联系点", on_delete=models.PROTECT, related_name="visits")
    unit = unit_fk(derived=True)
    kind = models.CharField("方式", max_length=20, choices=VisitKind.choices)
    date = models.DateField("日期")
    title = models.CharField("主题", max_length=200)
    findings = models.TextField("发现的问题", blank=True)
    follow_ups = models.TextField("后续措施", blank=True)

    class Meta:
        verbose_name = "联系点调研督导"
        verbose_name_plural = "联系点调研督导"
        indexes = [models.Index(fields=["contact_point", "kind", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"

    def fill_derived(self):
        if self.contact_point_id and not self.unit_id:
            self.unit_id = self.contact_point.unit_id


class InitiativeKind(models.TextChoices):
    POLICY = "policy", "出台政策"
    DIAGNOSIS = "diagnosis", "诊断"
    STAFFING = "staffing", "配强班子"
    OTHER = "other", "其他"


class Initiative(RecordBase):
    unit = unit_fk()
    contact_point = models.ForeignKey(ContactPoint, verbose_name="联系点", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="initiatives")
    kind = models.CharField("类别", max_length=20, choices=InitiativeKind.choices)
    date = models.DateField("日期")
    title = models.CharField("名称", max_length=200)
    description = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "帮扶举措"
        verbose_name_plural = "帮扶举措"

    def __str__(self):
        return self.title


class Indicator(models.TextChoices):
    LOSS_REDUCTION = "loss_reduction", "减亏增效"
    PROFIT = "profit", "利润"
    OUTPUT = "output", "产量"
    SALES = "sales", "销量"


class BusinessResult(RecordBase):
    """A unit's monthly business figure (the seed reports the contact plant's turnaround)."""

    unit = unit_fk()
    date = models.DateField("月份", help_text="填该月任意一天，按月统计")
    indicator = models.CharField("指标", max_length=20, choices=Indicator.choices)
    value = models.DecimalField("数值", max_digits=14, decimal_places=2)
    measure = models.CharField("计量单位", max_length=10, default="万元")

    class Meta:
        verbose_name = "经营成果"
        verbose_name_plural = "经营成果"
        constraints = [models.UniqueConstraint(fields=["unit", "indicator", "date"], name="unique_business_result")]

    def __str__(self):
        return f"{self.unit} {self.date:%Y年%m月} {self.get_indicator_display()} {self.value}{self.measure}"

    def clean(self):
        if self.date:
            self.date = self.date.replace(day=1)


class CoBuilding(Numbered, RecordBase):
    """拉手共建: a grassroots branch paired with an organ branch."""

    number = models.CharField("共建编号", max_length=32, unique=True, blank=True,
                              help_text="留空时由系统编号，如 GJ-2022-0012")
    NUMBER_PREFIX = "GJ"

    grassroots_branch = models.ForeignKey("org.PartyOrg", verbose_name="基层党支部", on_delete=models.PROTECT,
                                          related_name="+")
    organ_branch = models.ForeignKey("org.PartyOrg", verbose_name="机关党支部", on_delete=models.PROTECT, related_name="+")
    unit = unit_fk(derived=True)
    date = models.DateField("结对日期")
    title = models.CharField("共建主题", max_length=200)

    class Meta:
        verbose_name = "拉手共建"
        verbose_name_plural = "拉手共建"

    def __str__(self):
        return self.title

    def fill_derived(self):
        if self.grassroots_branch_id and not self.unit_id:
            self.unit_id = self.grassroots_branch.unit_id


class CoBuildingActivity(RecordBase):
    co_building = models.ForeignKey(CoBuilding, verbose_name="共建结对", on_delete=models.PROTECT, related_name="activities")
    unit = unit_fk(derived=True)
    date = models.DateField("日期")
    title = models.CharField("活动主题", max_length=200)
    focus = models.CharField("围绕", max_length=20, choices=[("production", "生产经营"), ("cost", "降本增效"),
                                                           ("study", "共学"), ("service", "志愿服务"), ("other", "其他")])
    participants = models.PositiveIntegerField("参加人数", default=0)

    class Meta:
        verbose_name = "共建活动"
        verbose_name_plural = "共建活动"

    def __str__(self):
        return self.title

    def fill_derived(self):
        if self.co_building_id and not self.unit_id:
            self.unit_id = self.co_building.unit_id


class HonourKind(models.TextChoices):
    MODEL_BRANCH = "model_branch", "示范党支部"
    FIVE_STRONG = "five_strong", "五强支部"
    FOUR_EXCELLENT = "four_excellent", "四优党员"
    ADVANCED_ORG = "advanced_org", "先进基层党组织"
    EXCELLENT_MEMBER = "excellent_member", "优秀共产党员"
    OTHER = "other", "其他"


class Honour(RecordBase):
    unit = unit_fk()
    kind = models.CharField("荣誉类别", max_length=20, choices=HonourKind.choices)
    title = models.CharField("荣誉名称", max_length=200)
    level = models.CharField("级别", max_length=20, choices=Level.choices)
    party_org = models.ForeignKey("org.PartyOrg", verbose_name="获奖党组织", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    person = person_fk("获奖个人")
    brand = models.CharField("品牌名称", max_length=50, blank=True, help_text="如支部品牌“攀登者”")
    issuer = models.CharField("授予单位", max_length=100, blank=True)
    date = models.DateField("授予日期")

    class Meta:
        verbose_name = "荣誉"
        verbose_name_plural = "荣誉"

    def __str__(self):
        return self.title


class ExternalVisitKind(models.TextChoices):
    EVALUATION = "evaluation", "考评考核"
    VISIT = "visit", "参观交流"
    RESEARCH = "research", "调研检查"
    MEDIA = "media", "媒体采访"


class ExternalVisit(RecordBase):
    unit = unit_fk("接待单位")
    kind = models.CharField("类别", max_length=20, choices=ExternalVisitKind.choices)
    visitor = models.CharField("来访单位", max_length=200)
    level = models.CharField("来访方级别", max_length=20, choices=Level.choices)
    date = models.DateField("日期")
    title = models.CharField("事由", max_length=200)

    class Meta:
        verbose_name = "考评考核与参观交流"
        verbose_name_plural = "考评考核与参观交流"

    def __str__(self):
        return f"{self.visitor}：{self.title}"


class InnovationKind(models.TextChoices):
    LAB = "lab", "实验室/平台"
    PRODUCT = "product", "新产品"
    PATENT = "patent", "专利"
    STANDARD = "standard", "标准"


class Innovation(RecordBase):
    unit = unit_fk()
    kind = models.CharField("类别", max_length=20, choices=InnovationKind.choices)
    title = models.CharField("名称", max_length=200)
    platform = models.CharField("依托平台", max_length=200, blank=True, help_text="如：省有机硅材料重点实验室")
    fills_gap = models.BooleanField("填补国内空白", default=False)
    date = models.DateField("日期")
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "科技创新"
        verbose_name_plural = "科技创新"

    def __str__(self):
        return self.title

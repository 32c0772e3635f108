"""Ideology work (意识形态工作责任制): reports, the media centre and its posts, publications, campaigns."""

from django.core.exceptions import ValidationError
from django.db import models

from lvzhi.records.fields import Level, Quarter, person_fk, unit_fk
from lvzhi.records.models import RecordBase


class IdeologyReportKind(models.TextChoices):
    THEMATIC_REPORT = "thematic_report", "专题报告"
    ANALYSIS = "analysis", "分析研判"
    BULLETIN = "bulletin", "通报"


class IdeologyReport(RecordBase):
    unit = unit_fk()
    kind = models.CharField("类别", max_length=20, choices=IdeologyReportKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=Quarter.choices)
    date = models.DateField("日期")
    title = models.CharField("标题", max_length=200)
    recipient = models.CharField("报送/通报对象", max_length=200, blank=True)

    class Meta:
        verbose_name = "意识形态工作报告"
        verbose_name_plural = "意识形态工作报告"

    def __str__(self):
        return self.title

    def clean(self):
        if self.date and self.year and self.date.year not in (self.year, self.year + 1):
            raise ValidationError({"date": "日期应在所属年度内（或次年年初）。"})


class MediaChannel(RecordBase):
    unit = unit_fk()
    name = models.CharField("名称", max_length=100)
    platform = models.CharField("平台", max_length=20, choices=[("wechat", "微信公众号"), ("video", "视频号"),
                                                            ("weibo", "微博"), ("app", "客户端"), ("other", "其他")])
    date = models.DateField("开通日期")
    operator = models.CharField("运营机构", max_length=100, blank=True, help_text="如：公司融媒体中心")

    class Meta:
        verbose_name = "新媒体账号"
        verbose_name_plural = "新媒体账号"

    def __str__(self):
        return self.name


class MediaPost(RecordBase):
    channel = models.ForeignKey(MediaChannel, verbose_name="账号", on_delete=models.PROTECT, related_name="posts")
    unit = unit_fk(derived=True)
    date = models.DateField("发布日期")
    title = models.CharField("标题", max_length=300)
    reads = models.PositiveIntegerField("阅读量", default=0)
    likes = models.PositiveIntegerField("点赞数", default=0)
    shares = models.PositiveIntegerField("转发数", default=0)

    class Meta:
        verbose_name = "推送"
        verbose_name_plural = "推送"
        indexes = [models.Index(fields=["channel", "date"]),
                   # serves list pages and the API list: ORDER BY date DESC, id DESC LIMIT 50 (newest first)
                   models.Index(fields=["date", "id"], name="mediapost_list_idx")]

    def __str__(self):
        return self.title

    def fill_derived(self):
        if self.channel_id and not self.unit_id:
            self.unit_id = self.channel.unit_id


class Publication(RecordBase):
    unit = unit_fk()
    date = models.DateField("发表日期")
    title = models.CharField("稿件标题", max_length=300)
    medium = models.CharField("媒体", max_length=100)
    level = models.CharField("媒体级别", max_length=20, choices=Level.choices)
    author = person_fk("作者")

    class Meta:
        verbose_name = "宣传稿件"
        verbose_name_plural = "宣传稿件"

    def __str__(self):
        return self.title


class CampaignForm(models.TextChoices):
    SITUATION_EDUCATION = "situation_education", "形势任务教育"
    SPECIAL_LECTURE = "special_lecture", "专题党课"
    REPORT_MEETING = "report_meeting", "报告会"
    DISCUSSION = "discussion", "大家谈"
    OTHER = "other", "其他"


class Campaign(RecordBase):
    unit = unit_fk()
    title = models.CharField("活动名称", max_length=200, help_text="如：“讲、提、干”")
    form = models.CharField("形式", max_length=24, choices=CampaignForm.choices)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=Quarter.choices)
    date = models.DateField("开始日期")
    audience = models.CharField("对象", max_length=200, default="全体员工")
    description = models.TextField("内容与成效", blank=True)

    class Meta:
        verbose_name = "主题宣传教育活动"
        verbose_name_plural = "主题宣传教育活动"

    def __str__(self):
        return self.title


class MediaRanking(RecordBase):
    unit = unit_fk()
    channel = models.ForeignKey(MediaChannel, verbose_name="账号", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="rankings")
    title = models.CharField("榜单", max_length=100, help_text="如：集团新媒体影响力排行榜")
    date = models.DateField("期次（日期）")
    period = models.CharField("期次说明", max_length=30, blank=True, help_text="如：2022年6月")
    position = models.PositiveSmallIntegerField("名次")
    total = models.PositiveSmallIntegerField("参评总数", null=True, blank=True)

    class Meta:
        verbose_name = "新媒体排行"
        verbose_name_plural = "新媒体排行"

    def __str__(self):
        return f"{self.title} {self.period or self.date} 第{self.position}名"

"""Report templates (versioned text) and duty reports (drafts, then frozen finalised versions)."""

from django.conf import settings
from django.db import models


class ReportKind(models.TextChoices):
    """The kinds of 述职 a template is written for (the default template is chosen per unit and kind)."""

    ANNUAL = "annual", "党委书记年度述职"
    PARTY_BUILDING = "party_building", "党委书记抓基层党建述职"
    BRANCH = "branch", "党支部书记抓基层党建述职"
    INTEGRITY = "integrity", "党风廉政建设（主体责任）述职"
    DISCIPLINE = "discipline", "纪委书记述责述廉"
    IDEOLOGY = "ideology", "意识形态工作责任制述职"
    ONE_POST = "one_post", "班子成员“一岗双责”述职"


class ReportTemplate(models.Model):
    """One version of a template. Editing creates a new version; reports keep the version they used."""

    key = models.SlugField("模板标识", max_length=50, help_text="同一模板的各版本共用")
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=100)
    body = models.TextField("模板正文")
    unit = models.ForeignKey("org.Unit", verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", help_text="内置模板为空")
    is_builtin = models.BooleanField("内置", default=False)
    kind = models.CharField("述职类别", max_length=20, choices=ReportKind.choices, default=ReportKind.ANNUAL)
    note = models.CharField("修改说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="unique_template_version")]
        ordering = ["key", "-version"]

    def __str__(self):
        return f"{self.name}（第{self.version}版）"


class DefaultTemplate(models.Model):
    """Which template a unit uses by default for one kind of report (the newest version of the template family
    ``template_key``). A unit without a row uses the generic built-in template of the kind."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("述职类别", max_length=20, choices=ReportKind.choices)
    template_key = models.SlugField("模板标识", max_length=50)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "默认报告模板"
        verbose_name_plural = "默认报告模板"
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="unique_default_template")]

    def __str__(self):
        return f"{self.unit.name}·{self.get_kind_display()}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "已定稿"


def report_file_path(instance: "DutyReport", filename: str) -> str:
    return f"reports/{instance.unit.code}/{instance.year}/v{instance.number}/{filename}"


class DutyReport(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("版本号", default=1)
    secretary = models.ForeignKey("org.Person", verbose_name="述职人", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    template = models.ForeignKey(ReportTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="reports")
    status = models.CharField("状态", max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    writer_texts = models.JSONField("撰写人文字", default=dict, blank=True)
    report_date = models.DateField("落款日期", null=True, blank=True)
    version = models.PositiveIntegerField("修改版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="定稿人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    snapshot = models.JSONField("定稿快照", null=True, blank=True)
    content_hash = models.CharField("内容哈希", max_length=64, blank=True)
    docx = models.FileField("DOCX", upload_to=report_file_path, blank=True)
    pdf = models.FileField("PDF", upload_to=report_file_path, blank=True)

    class Meta:
        verbose_name = "述职报告"
        verbose_name_plural = "述职报告"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "number"], name="unique_report_version")]
        ordering = ["-year", "unit", "-number"]

    def __str__(self):
        return f"{self.unit.name}{self.year}年度述职报告（第{self.number}版，{self.get_status_display()}）"

    @property
    def is_final(self) -> bool:
        return self.status == ReportStatus.FINAL

"""Cadre movements and recruitment (干部人才): appointments, graduate hiring, the reserve-cadre pool."""

from django.core.exceptions import ValidationError
from django.db import models

from lvzhi.org.models import CadreLevel
from lvzhi.records.fields import person_fk, unit_fk
from lvzhi.records.models import RecordBase

APPOINTMENT_LEVELS = [c for c in CadreLevel.choices if c[0] != "none"]


class AppointmentKind(models.TextChoices):
    PROMOTION = "promotion", "提拔（新进入该层级）"
    TRANSFER = "transfer", "平级交流"
    OTHER = "other", "其他"


class Appointment(RecordBase):
    """A person holds a post at a level from ``date`` until ``ended_on``; the pre-appointment talk is checked
    against ``date``."""

    person = person_fk("人员", required=True, related_name="appointments")
    unit = unit_fk("任职单位")
    post = models.CharField("职务", max_length=100)
    level = models.CharField("层级", max_length=16, choices=APPOINTMENT_LEVELS)
    kind = models.CharField("任职类型", max_length=16, choices=AppointmentKind.choices, default=AppointmentKind.PROMOTION)
    date = models.DateField("任职日期")
    ended_on = models.DateField("免职日期", null=True, blank=True)
    document = models.CharField("任免文号", max_length=100, blank=True)

    class Meta:
        verbose_name = "干部任免"
        verbose_name_plural = "干部任免"
        indexes = [models.Index(fields=["level", "date"]), models.Index(fields=["person", "date"])]

    def __str__(self):
        return f"{self.person} 任 {self.post}"

    def clean(self):
        if self.ended_on and self.date and self.ended_on < self.date:
            raise ValidationError({"ended_on": "免职日期不能早于任职日期。"})


class RecruitmentChannel(models.TextChoices):
    CAMPUS = "campus", "校园招聘"
    SOCIAL = "social", "社会招聘"
    TALENT = "talent", "高层次人才引进"


class Recruitment(RecordBase):
    """A hire. School, 双一流 and degree are read from the person, so they are recorded once."""

    person = person_fk("人员", required=True, related_name="recruitments")
    unit = unit_fk("录用单位")
    channel = models.CharField("渠道", max_length=16, choices=RecruitmentChannel.choices, default=RecruitmentChannel.CAMPUS)
    date = models.DateField("入职日期")

    class Meta:
        verbose_name = "招聘"
        verbose_name_plural = "招聘"

    def __str__(self):
        return f"{self.person}（{self.date:%Y}）"


class ReserveAction(models.TextChoices):
    ENTER = "enter", "入选"
    LEAVE = "leave", "退出"
    USED = "used", "启用"


class ReserveEntry(RecordBase):
    person = person_fk("人员", required=True, related_name="reserve_entries")
    unit = unit_fk()
    action = models.CharField("变动", max_length=16, choices=ReserveAction.choices, default=ReserveAction.ENTER)
    date = models.DateField("日期")
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "后备干部变动"
        verbose_name_plural = "后备干部变动"

    def __str__(self):
        return f"{self.person} {self.get_action_display()}"

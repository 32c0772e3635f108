"""Small model helpers shared by the record models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from lvzhi.org.models import Person, Unit


def unit_fk(verbose_name: str = "所属单位", derived: bool = False) -> models.ForeignKey[Any, Unit]:
    """The unit a record belongs to. ``derived``: filled from the record's parent (Party org, meeting …)."""
    return models.ForeignKey(
        "org.Unit", verbose_name=verbose_name, on_delete=models.PROTECT, related_name="+",
        blank=derived, help_text="由所属党组织/上级记录自动确定" if derived else "",
    )


def person_fk(verbose_name: str, *, required: bool = False,
              related_name: str = "+") -> models.ForeignKey[Any, Person | None]:
    return models.ForeignKey(
        "org.Person", verbose_name=verbose_name, on_delete=models.PROTECT if required else models.SET_NULL,
        null=not required, blank=not required, related_name=related_name,
    )


def people_m2m(verbose_name: str, related_name: str = "+") -> models.ManyToManyField:
    return models.ManyToManyField("org.Person", verbose_name=verbose_name, blank=True, related_name=related_name)


class Quarter(models.IntegerChoices):
    Q1 = 1, "一季度"
    Q2 = 2, "二季度"
    Q3 = 3, "三季度"
    Q4 = 4, "四季度"


class Level(models.TextChoices):
    """Level of an honour, a visitor or a medium."""

    CENTRAL = "central", "国家（中央）级"
    PROVINCIAL = "provincial", "省部（行业）级"
    GROUP = "group", "集团级"
    COMPANY = "company", "公司级"

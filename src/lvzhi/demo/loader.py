"""Loading the demo company section by section; each section loads once (idempotent) in one transaction."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Callable

from django.conf import settings
from django.db import transaction

from lvzhi.audit.actors import DEMO
from lvzhi.audit.services import log_changes

from .models import DemoSection


@dataclass
class Section:
    name: str
    label: str
    load: Callable[[str], list]


# In load order: each section may read what the earlier ones created.
SECTIONS = [
    ("org", "单位、党组织、人员与演示账号"),
    ("partybuilding", "基层党建记录（2021—2022）"),
    ("cadres", "干部任免、招聘与后备干部（2021—2022）"),
    ("governance", "三重一大与前置研究（2021—2022）"),
    ("integrity", "党风廉政记录（2021—2022）"),
    ("ideology", "意识形态工作记录（2021—2022）"),
    ("membership", "党员名册转为党籍变动记录、支委会任职"),
    ("keeping", "记录完整性声明（2021—2022）"),
    ("appraisal", "2022年度述职评议（测评、点评与整改）"),
    ("report_defaults", "默认报告模板（公司党委书记年度述职用种子示例）"),
]


def sections() -> list[Section]:
    """The sections whose module exists in lvzhi.demo (each module has ``load(password) -> list[Change]``)."""
    out = []
    for name, label in SECTIONS:
        if find_spec(f"lvzhi.demo.{name}") is None:
            continue
        module = import_module(f"lvzhi.demo.{name}")
        out.append(Section(name, label, module.load))
    return out


def demo_password() -> str:
    """LVZHI_DEMO_PASSWORD, or a random one kept in the var directory (never in the repository)."""
    if os.environ.get("LVZHI_DEMO_PASSWORD"):
        return os.environ["LVZHI_DEMO_PASSWORD"]
    path = settings.VAR_DIR / "demo_password"
    if not path.exists():
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Demo-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


def load_demo(echo: Callable[[str], None] = print) -> list[str]:
    """Load every section not loaded yet; returns the names loaded now."""
    password = demo_password()
    loaded = []
    for section in sections():
        if DemoSection.objects.filter(name=section.name).exists():
            echo(f"· {section.label}：已存在，跳过")
            continue
        with transaction.atomic():
            changes = section.load(password)
            log_changes(DEMO, changes)
            DemoSection.objects.create(name=section.name, objects_created=len(changes))
        echo(f"· {section.label}：已载入 {len(changes)} 个对象")
        loaded.append(section.name)
    return loaded


def after_load_hooks() -> list[Callable]:
    """Steps ``lvzhi demo`` runs after loading: the demo company's 2022 duty report, written to var/out/."""
    from lvzhi.reports.demo import write_demo_report

    return [write_demo_report]

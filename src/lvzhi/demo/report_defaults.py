"""Demo section "report_defaults": 江海化工 keeps the seed example as its default 党委书记年度述职 template.

Every other unit (the group, the other companies, plants, workshops) uses the generic built-in template of each
kind — the seed's own wording is a record of 江海化工's year, not of theirs.
"""

from __future__ import annotations

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.org.models import Unit
from lvzhi.reports.families import sync_builtin_templates
from lvzhi.reports.models import DefaultTemplate, ReportKind
from lvzhi.reports.services import BUILTIN_KEY

from . import story


def load(password: str) -> list[Change]:
    company = Unit.objects.get(code=story.COMPANY["code"])
    sync_builtin_templates()
    row, _ = DefaultTemplate.objects.update_or_create(unit=company, kind=ReportKind.ANNUAL,
                                                      defaults={"template_key": BUILTIN_KEY})
    return [Change(AuditAction.CREATE, row, after=snapshot(row, {}), unit_id=company.pk)]

"""Demo section "keeping": the company declares its records complete for 2021 and 2022.

The demo company enters every record of the types its report counts, so the Party committee office declares each
type kept for both years (``RecordKeeping``): a figure with no record is then a true 0 for 江海化工 and its
subtree. The other companies of the group declare nothing — their empty figures stay 【待补充】.
"""

from __future__ import annotations

import datetime as dt

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.metrics.catalogue import CATALOGUE
from lvzhi.org.models import PartyOrg, Unit
from lvzhi.records.models import KeepingStatus, RecordKeeping

from . import story

YEARS = (2021, 2022)


def load(password: str) -> list[Change]:
    company = Unit.objects.get(code=story.COMPANY["code"])
    committee = PartyOrg.objects.filter(unit=company, kind="committee").select_related("secretary").first()
    declared_by = committee.secretary if committee else None
    types = sorted({m.record_type for m in CATALOGUE})
    rows = [RecordKeeping(unit=company, record_type=rt, year=year, status=KeepingStatus.KEPT,
                          date=dt.date(year + 1, 1, 5), declared_by=declared_by,
                          notes="演示：公司党委办公室核对全年台账后声明")
            for year in YEARS for rt in types]
    RecordKeeping.objects.bulk_create(rows)
    return [Change(AuditAction.CREATE, obj, after=snapshot(obj, {}), unit_id=company.pk)
            for obj in RecordKeeping.objects.filter(unit=company)]

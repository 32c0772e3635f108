from django.db.models import Q

from lvzhi.records.registry import Column, RecordType, register

from . import models as m
from .selectors import LEDGER_STATE

register(RecordType(
    key="responsibility_letter", model=m.ResponsibilityLetter, system="integrity", search_fields=("issuer",),
    columns=[Column("unit", example="有机硅厂"), Column("kind", example="“两个责任”目标责任书"), Column("year", example="2022"),
             Column("date", example="2022-02-18"), Column("issuer"), Column("signatory"), Column("notes")],
    list_columns=("year", "unit", "kind", "date", "signatory"), natural_key=("unit", "kind", "year"),
))
register(RecordType(
    key="duty_list", model=m.DutyList, system="integrity", kind_field="role",
    columns=[Column("number", example="QD-2022-0001"), Column("unit"), Column("year", example="2022"),
             Column("date", example="2022-02-18"), Column("role", example="一岗双责"), Column("person"), Column("title", example="2022年一岗双责责任清单"),
             Column("notes")],
    list_columns=("number", "year", "title", "role", "person"), natural_key=("unit", "year", "role", "person", "title"),

))
register(RecordType(
    key="duty_item", model=m.DutyItem, system="integrity", kind_field=None, search_fields=("content",),
    columns=[Column("duty_list", example="QD-2022-0001", help="责任清单编号"), Column("content"),
             Column("date", example="2022-06-30"), Column("done_on"), Column("evidence"), Column("notes")],
    list_columns=("date", "content", "done_on"), natural_key=("duty_list", "content", "date"),
))
register(RecordType(
    key="inspection", model=m.Inspection, system="integrity", search_fields=("title", "kind_other"),
    columns=[Column("number", example="JC-2022-0001"), Column("unit", example="有机硅厂"), Column("kind", example="安全生产"),
             Column("kind_other"),
             Column("method", example="四不两直"), Column("date", example="2022-03-21"),
             Column("title", example="夜间安全生产突击检查"), Column("inspectors"), Column("notes")],
    list_columns=("number", "date", "kind", "method", "unit", "title"), natural_key=("unit", "kind", "date", "title"),

    description="“四不两直”等方式的监督检查：安全生产、工资分配、招投标及其他",
))
register(RecordType(
    key="finding", model=m.Finding, system="integrity", kind_field="rule_broken", search_fields=("description",),
    columns=[Column("number", example="WT-2022-0001"), Column("inspection", example="JC-2022-0001", help="监督检查的检查编号"),
             Column("date"),
             Column("description", example="交接班记录不完整"), Column("rule_broken", example="安全生产规定"),
             Column("severity", example="一般"), Column("person", help="涉及具体人员时填写（该问题将作为保密记录）"),
             Column("notes")],
    list_columns=("number", "date", "description", "rule_broken", "severity", "unit"),
    natural_key=("inspection", "description", "person"),
    confidential_rows=lambda: Q(person__isnull=False),
))
register(RecordType(
    key="rectification", model=m.Rectification, system="integrity", kind_field="status",
    search_fields=("measures", "finding__description"),
    columns=[Column("number", example="ZG-2022-0001"), Column("finding", example="WT-2022-0001", help="检查发现问题的问题编号"),
             Column("owner"), Column("measures"),
             Column("date"), Column("deadline", example="2022-04-30"), Column("status", example="整改中"),
             Column("completed_on"), Column("evidence"), Column("verified_by"), Column("notes")],
    list_columns=("number", "deadline", "finding", "owner", "status", "completed_on"),
    natural_key=("finding", "deadline", "measures"),
    ordering=("deadline", "pk"), list_state=LEDGER_STATE,
    confidential_rows=lambda: Q(finding__person__isnull=False),
    description="整改台账：逾期未完成的排在最前",
))
register(RecordType(
    key="integrity_talk", model=m.IntegrityTalk, system="integrity", search_fields=("title",),
    columns=[Column("unit"), Column("kind", example="例行廉政谈话"), Column("date", example="2022-03-02"), Column("talker"),
             Column("people", example="P000123、P000124"), Column("title", example="年度例行廉政谈话"),
             Column("content"), Column("notes")],
    list_columns=("date", "kind", "title", "talker"), natural_key=("unit", "kind", "date", "talker", "title", "people"),
    confidential_rows=lambda: Q(kind__in=m.CONFIDENTIAL_TALKS),
    description="例行、任前、任职前集体、提醒、诫勉、函询、谈心；提醒/诫勉/函询/调查为保密记录",
))
register(RecordType(
    key="warning_education", model=m.WarningEducation, system="integrity", kind_field="form",
    columns=[Column("unit"), Column("date", example="2022-05-20"), Column("title", example="警示教育大会"),
             Column("form", example="警示教育大会"), Column("audience", example="中层干部、人财物关键岗位人员"),
             Column("participants", example="180"), Column("notes")],
    list_columns=("date", "title", "form", "audience"), natural_key=("unit", "date", "title"),
))
register(RecordType(
    key="accountability", model=m.Accountability, system="integrity", kind_field="form", search_fields=("reason",),
    columns=[Column("unit"), Column("person"), Column("date"), Column("reason"), Column("form"), Column("notes")],
    list_columns=("date", "person", "form", "unit"), natural_key=("unit", "person", "date", "form"),
    confidential_rows=lambda: Q(pk__isnull=False),
    description="问责（保密）",
))

"""The record type of the records app itself: declarations that a unit's records of a type are complete."""

from .models import RecordKeeping
from .registry import Column, RecordType, register

register(RecordType(
    key="record_keeping", model=RecordKeeping, system="obligations", kind_field="status",
    search_fields=("record_type", "metric"),
    columns=[Column("unit", example="江海化工有限公司"), Column("record_type", example="学习"),
             Column("metric", example="", help="“已核实为零”时填写指标名称"), Column("year", example="2022"),
             Column("status", example="已完整录入（无记录即为零）"), Column("date", example="2023-01-05"),
             Column("declared_by", example="张某某"), Column("notes")],
    list_columns=("year", "unit", "record_type", "metric", "status", "declared_by"),
    natural_key=("unit", "record_type", "metric", "year"),
    description="声明某单位某年度某类记录已完整录入（此后没有记录的指标按 0 计），或某项指标经核实为零；"
                "没有声明时，报告对没有记录的数字一律显示“待补充”，不写 0",
))

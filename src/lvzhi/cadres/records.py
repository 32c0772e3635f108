from lvzhi.records.registry import Column, RecordType, register

from . import models as m

register(RecordType(
    key="appointment", model=m.Appointment, system="cadres", kind_field="level", search_fields=("post", "person__name"),
    columns=[Column("person", example="P000123"), Column("unit", example="有机硅厂"), Column("post", example="厂长"),
             Column("level", example="中层干部"), Column("kind", example="提拔（新进入该层级）"),
             Column("date", example="2022-03-15"), Column("ended_on"), Column("document", example="江化党〔2022〕12号"),
             Column("notes")],
    list_columns=("date", "person", "post", "level", "unit"), natural_key=("person", "post", "date"),
))
register(RecordType(
    key="recruitment", model=m.Recruitment, system="cadres", kind_field="channel", search_fields=("person__name",),
    columns=[Column("person", example="P002001"), Column("unit", example="有机硅厂"), Column("channel", example="校园招聘"),
             Column("date", example="2022-07-10"), Column("notes")],
    list_columns=("date", "person", "unit", "channel"), natural_key=("person", "date"),
))
register(RecordType(
    key="reserve_entry", model=m.ReserveEntry, system="cadres", kind_field="action", search_fields=("person__name",),
    columns=[Column("person"), Column("unit"), Column("action", example="入选"), Column("date", example="2022-09-20"),
             Column("reason"), Column("notes")],
    list_columns=("date", "person", "action", "unit"), natural_key=("person", "action", "date"),
))

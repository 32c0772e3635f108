from lvzhi.records.registry import Column, RecordType, register

from . import models as m

register(RecordType(
    key="ideology_report", model=m.IdeologyReport, system="ideology",
    columns=[Column("unit"), Column("kind", example="专题报告"), Column("year", example="2022"), Column("quarter", example="一季度"),
             Column("date", example="2022-03-28"), Column("title", example="2022年一季度意识形态工作专题报告"),
             Column("recipient", example="集团党委"), Column("notes")],
    list_columns=("date", "kind", "quarter", "title"), natural_key=("unit", "kind", "year", "quarter", "title"),
))
register(RecordType(
    key="media_channel", model=m.MediaChannel, system="ideology", kind_field="platform", search_fields=("name",),
    columns=[Column("unit"), Column("name", example="江海号"), Column("platform", example="微信公众号"),
             Column("date", example="2020-03-01"), Column("operator", example="公司融媒体中心"), Column("notes")],
    list_columns=("name", "platform", "date", "operator"), natural_key=("unit", "name"), ref_key=("unit", "name"),
))
register(RecordType(
    key="media_post", model=m.MediaPost, system="ideology", kind_field=None,
    columns=[Column("channel", example="江海号", help="账号名称；不同单位有同名账号时写“单位编码/账号名称”"), Column("date", example="2022-03-01"),
             Column("title", example="有机硅厂实现扭亏为盈"), Column("reads", example="1523"), Column("likes", example="211"),
             Column("shares", example="35"), Column("notes")],
    list_columns=("date", "title", "reads", "likes", "shares"), natural_key=("channel", "date", "title"),
    description="可直接导入公众号后台导出的数据（列名：发布日期、标题、阅读量、点赞数、转发数）",
))
register(RecordType(
    key="publication", model=m.Publication, system="ideology", kind_field="level", search_fields=("title", "medium"),
    columns=[Column("unit"), Column("date", example="2022-06-10"), Column("title"), Column("medium", example="中国化工报"),
             Column("level", example="省部（行业）级"), Column("author"), Column("notes")],
    list_columns=("date", "title", "medium", "level"), natural_key=("unit", "medium", "date", "title"),
))
register(RecordType(
    key="campaign", model=m.Campaign, system="ideology", kind_field="form", search_fields=("title", "description"),
    columns=[Column("unit"), Column("title", example="讲、提、干"), Column("form", example="形势任务教育"),
             Column("year", example="2022"), Column("quarter", example="一季度"), Column("date", example="2022-02-10"),
             Column("audience"), Column("description"), Column("notes")],
    list_columns=("year", "quarter", "title", "form"), natural_key=("unit", "title", "form", "date"),
))
register(RecordType(
    key="media_ranking", model=m.MediaRanking, system="ideology", kind_field=None,
    columns=[Column("unit"), Column("channel", help="账号名称；不同单位有同名账号时写“单位编码/账号名称”"), Column("title", example="集团新媒体影响力排行榜"),
             Column("date", example="2022-12-31"), Column("period", example="2022年度"), Column("position", example="1"),
             Column("total"), Column("notes")],
    list_columns=("date", "title", "period", "position"), natural_key=("unit", "channel", "title", "date"),
))
